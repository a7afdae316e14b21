import crypto from 'node:crypto';

/** 13812341234 → 138****1234; short or odd values keep only their last two characters. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  const digits = phone.trim();
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** ID numbers show only their first and last two characters. */
export function maskIdNumber(idNumber: string | null | undefined): string | null {
  if (!idNumber) return idNumber ?? null;
  if (idNumber.length <= 4) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 2)}${'*'.repeat(idNumber.length - 4)}${idNumber.slice(-2)}`;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character only. */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return name ?? null;
  const chars = Array.from(name);
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}

/** Addresses keep their building and hide the door: anything after the last 栋/号楼/单元 becomes ****. */
export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return address ?? null;
  const match = address.match(/^(.*?(?:栋|号楼|幢|单元))/);
  return match ? `${match[1]}****` : `${Array.from(address).slice(0, 6).join('')}****`;
}

/**
 * Field-level encryption (AES-256-GCM) and keyed hashes (HMAC-SHA256) with keys derived from the one
 * data key in the environment. Ciphertext format: `v1:<iv>:<tag>:<data>` in base64url.
 */
export class PersonalDataCipher {
  private readonly encryptionKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(dataKey: string) {
    const raw = /^[0-9a-fA-F]{64}$/.test(dataKey) ? Buffer.from(dataKey, 'hex') : Buffer.from(dataKey, 'base64');
    if (raw.length !== 32) throw new Error('CIVICGRID_DATA_KEY must be 32 bytes, as 64 hex characters or base64');
    this.encryptionKey = Buffer.from(crypto.hkdfSync('sha256', raw, Buffer.alloc(0), 'civicgrid:encrypt', 32));
    this.hashKey = Buffer.from(crypto.hkdfSync('sha256', raw, Buffer.alloc(0), 'civicgrid:search-hash', 32));
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  decrypt(token: string): string {
    const [version, iv, tag, data] = token.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown ciphertext format');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Equality search on an encrypted field: the same normalised input gives the same hash. */
  searchHash(value: string): string {
    return crypto.createHmac('sha256', this.hashKey).update(value.trim().toUpperCase()).digest('base64url');
  }
}

/** 18-character mainland ID number with its ISO 7064 MOD 11-2 check digit. */
export function isValidIdNumber(idNumber: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(idNumber)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checks = '10X98765432';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(idNumber[i]) * weights[i];
  return checks[sum % 11] === idNumber[17].toUpperCase();
}

export function idNumberCheckDigit(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i];
  return '10X98765432'[sum % 11];
}

export const isValidMobilePhone = (phone: string) => /^1[3-9]\d{9}$/.test(phone);
