import { describe, expect, it } from 'vitest';
import { idNumberCheckDigit, isValidIdNumber, isValidMobilePhone, maskAddress, maskIdNumber, maskName, maskPhone, PersonalDataCipher } from './personal-data.ts';

const KEY = 'ab'.repeat(32);

describe('maskPhone', () => {
  it('keeps the first three and last four digits of a mobile number', () => {
    expect(maskPhone('13912345678')).toBe('139****5678');
    expect(maskPhone(' 13812341234 ')).toBe('138****1234');
  });
  it('short numbers keep only their last two characters', () => {
    expect(maskPhone('85123456')).toBe('******56');
    expect(maskPhone('12')).toBe('**');
    expect(maskPhone('7')).toBe('*');
  });
  it('passes null and empty through', () => {
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone(undefined)).toBeNull();
    expect(maskPhone('')).toBe('');
  });
});

describe('maskName', () => {
  it('keeps only the first character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('王')).toBe('王*');
  });
  it('does not split surrogate pairs', () => {
    expect(maskName('𠮷野家')).toBe('𠮷**');
  });
  it('passes null through', () => {
    expect(maskName(null)).toBeNull();
  });
});

describe('maskIdNumber', () => {
  it('shows only the first and last two characters', () => {
    expect(maskIdNumber('52030219800101001X')).toBe('52**************1X');
    expect(maskIdNumber('52030219800101001X')).toMatch(/^\d{2}\*+[\dX]{2}$/);
    expect(maskIdNumber('520302198001010012')!.length).toBe(18);
  });
  it('hides very short values entirely', () => {
    expect(maskIdNumber('1234')).toBe('****');
    expect(maskIdNumber('12345')).toBe('12*45');
  });
  it('passes null through', () => {
    expect(maskIdNumber(null)).toBeNull();
  });
});

describe('maskAddress', () => {
  it('keeps the building and hides the door', () => {
    expect(maskAddress('测试市测试路1号3栋1单元101')).toBe('测试市测试路1号3栋****');
    expect(maskAddress('遵义市红花岗区老城街道2号楼501')).toBe('遵义市红花岗区老城街道2号楼****');
  });
  it('without a building marker keeps at most six characters', () => {
    expect(maskAddress('某某路某某小区后面的平房')).toBe('某某路某某小****');
    expect(maskAddress('某某路某某小区后面的平房')).not.toContain('平房');
  });
  it('passes null through', () => {
    expect(maskAddress(null)).toBeNull();
  });
});

describe('PersonalDataCipher', () => {
  const cipher = new PersonalDataCipher(KEY);

  it('round-trips text, with a fresh IV every time', () => {
    const plain = '52030219800101001X';
    const a = cipher.encrypt(plain);
    const b = cipher.encrypt(plain);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]*$/);
    expect(a).not.toContain(plain);
    expect(cipher.decrypt(a)).toBe(plain);
    expect(cipher.decrypt(b)).toBe(plain);
    expect(cipher.decrypt(cipher.encrypt('张三 🏠'))).toBe('张三 🏠');
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
  });

  it('accepts the key as hex or base64 and refuses a wrong length', () => {
    const base64 = Buffer.from(KEY, 'hex').toString('base64');
    expect(new PersonalDataCipher(base64).decrypt(cipher.encrypt('x'))).toBe('x');
    expect(() => new PersonalDataCipher('abcd')).toThrow(/32 bytes/);
  });

  it('refuses a modified ciphertext, tag or IV (authenticated encryption)', () => {
    const token = cipher.encrypt('13912345678');
    const [version, iv, tag, data] = token.split(':');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 0x01;
      return bytes.toString('base64url');
    };
    expect(() => cipher.decrypt([version, iv, tag, flip(data)].join(':'))).toThrow();
    expect(() => cipher.decrypt([version, iv, flip(tag), data].join(':'))).toThrow();
    expect(() => cipher.decrypt([version, flip(iv), tag, data].join(':'))).toThrow();
    expect(() => cipher.decrypt(['v2', iv, tag, data].join(':'))).toThrow(/format/);
    expect(() => cipher.decrypt('garbage')).toThrow();
  });

  it('a different key cannot decrypt', () => {
    const other = new PersonalDataCipher('cd'.repeat(32));
    expect(() => other.decrypt(cipher.encrypt('secret'))).toThrow();
  });

  it('search hashes are deterministic, normalised (trim, upper case) and keyed', () => {
    const id = '52030219800101001X';
    expect(cipher.searchHash(id)).toBe(cipher.searchHash(id));
    expect(cipher.searchHash('52030219800101001x')).toBe(cipher.searchHash(id));
    expect(cipher.searchHash(`  ${id}\n`)).toBe(cipher.searchHash(id));
    expect(cipher.searchHash('520302198001010012')).not.toBe(cipher.searchHash(id));
    expect(cipher.searchHash(id)).not.toContain(id);
    expect(new PersonalDataCipher('cd'.repeat(32)).searchHash(id)).not.toBe(cipher.searchHash(id));
  });
});

describe('isValidIdNumber', () => {
  it('accepts numbers with the right MOD 11-2 check digit', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    const first17 = '52030219800101001';
    expect(isValidIdNumber(first17 + idNumberCheckDigit(first17))).toBe(true);
  });
  it('refuses a wrong check digit, wrong length and non-digits', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002')).toBe(false);
    expect(isValidIdNumber('11010519491231002X1')).toBe(false);
    expect(isValidIdNumber('1101051949123100AX')).toBe(false);
    expect(isValidIdNumber('')).toBe(false);
    const first17 = '52030219800101001';
    const right = idNumberCheckDigit(first17);
    const wrong = '0123456789X'.split('').find((c) => c !== right)!;
    expect(isValidIdNumber(first17 + wrong)).toBe(false);
  });
});

describe('isValidMobilePhone', () => {
  it('accepts 11-digit mainland mobile numbers only', () => {
    expect(isValidMobilePhone('13912345678')).toBe(true);
    expect(isValidMobilePhone('12912345678')).toBe(false);
    expect(isValidMobilePhone('1391234567')).toBe(false);
    expect(isValidMobilePhone('+8613912345678')).toBe(false);
  });
});
