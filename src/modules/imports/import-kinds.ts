import { isValidIdNumber, isValidMobilePhone } from '../../shared/personal-data.ts';
import { residentTags, roles, type Role } from '../../db/schema/index.ts';
import { separatedAdministratorRoles } from '../policy/policies.ts';
import type { FileFormat } from './read-table.ts';
import * as history from './case-history-fields.ts';

/** A parsed cell: its value, or the reason it was refused (plain Chinese + English). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Validator<T = unknown> = (raw: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

export const text =
  (maxLength = 200): Validator<string> =>
  (raw) =>
    raw.length > maxLength ? bad(`内容过长（最多 ${maxLength} 个字符） / Too long (at most ${maxLength} characters)`) : ok(raw);

export const code: Validator<string> = (raw) =>
  raw.length > 64 || /[\s/]/.test(raw) ? bad('编码不能含空格或斜杠且不超过64个字符 / A code must have no spaces or slashes and at most 64 characters') : ok(raw);

export const mobilePhone: Validator<string> = (raw) => {
  const digits = raw.replace(/[\s-]/g, '').replace(/^\+?86/, '');
  return isValidMobilePhone(digits) ? ok(digits) : bad('手机号应为11位数字 / The mobile phone number must have 11 digits starting with 1');
};

export const idNumber: Validator<string> = (raw) => {
  const value = raw.replace(/\s/g, '').toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return bad('身份证号应为18位 / The ID number must have 18 characters (17 digits and a digit or X)');
  if (!isValidIdNumber(value)) return bad('身份证号校验位错误 / ID number check digit is wrong');
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isRealDate(birth)) return bad('身份证号中的出生日期无效 / The birth date inside the ID number is not a real date');
  return ok(value);
};

function isRealDate(iso: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1850 && y <= 2200;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD (also YYYY/MM/DD, YYYY.M.D, YYYY年M月D日, YYYYMMDD) or an Excel serial day number. */
export const date: Validator<string> = (raw) => {
  let value = raw.trim();
  const serial = /^\d{4,5}(\.\d+)?$/.test(value) && !/^\d{8}$/.test(value) ? Number(value) : NaN;
  if (Number.isFinite(serial) && serial > 0 && serial < 2958466) {
    // Excel's day 1 is 1900-01-01 and it counts a non-existent 1900-02-29, so day 60 onwards is offset by one.
    const days = Math.floor(serial) - (serial > 59 ? 1 : 0);
    const d = new Date(Date.UTC(1899, 11, 31) + days * 86_400_000);
    value = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  } else {
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    const loose = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$/.exec(value);
    const parts = compact ?? loose;
    if (parts) value = `${parts[1]}-${pad(Number(parts[2]))}-${pad(Number(parts[3]))}`;
  }
  return isRealDate(value) ? ok(value) : bad('日期格式应为 YYYY-MM-DD / The date must be written YYYY-MM-DD');
};

const truthy = new Set(['1', 'true', 'yes', 'y', '是', '√', '✓', 't']);
const falsy = new Set(['0', 'false', 'no', 'n', '否', '×', 'f', '']);
export const boolean: Validator<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (truthy.has(value)) return ok(true);
  if (falsy.has(value)) return ok(false);
  return bad('应填 是/否 / Must be yes/no (是/否, true/false, 1/0)');
};

export const gender: Validator<'male' | 'female'> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (value === '男' || value === 'male' || value === 'm' || value === '男性') return ok('male');
  if (value === '女' || value === 'female' || value === 'f' || value === '女性') return ok('female');
  return bad('性别应为 男/女 / Gender must be 男/女 or male/female');
};

export const number: Validator<number> = (raw) => {
  const value = Number(raw.trim());
  return raw.trim() !== '' && Number.isFinite(value) ? ok(value) : bad('应为数字 / Must be a number');
};

export const longitude: Validator<number> = (raw) => {
  const parsed = number(raw);
  if (!parsed.ok) return parsed;
  return parsed.value >= -180 && parsed.value <= 180 ? parsed : bad('经度应在 -180 到 180 之间 / Longitude must be between -180 and 180');
};
export const latitude: Validator<number> = (raw) => {
  const parsed = number(raw);
  if (!parsed.ok) return parsed;
  return parsed.value >= -90 && parsed.value <= 90 ? parsed : bad('纬度应在 -90 到 90 之间 / Latitude must be between -90 and 90');
};

export type CoordinateSystem = 'wgs84' | 'gcj02';
export const coordinateSystem: Validator<CoordinateSystem> = (raw) => {
  const value = raw.trim().toLowerCase().replace(/[-_\s]/g, '');
  if (value === '' || value === 'wgs84' || value === 'epsg4326' || value === 'crs84') return ok('wgs84');
  if (value === 'gcj02' || value === '火星坐标' || value === '国测局坐标') return ok('gcj02');
  return bad('坐标系应为 wgs84 或 gcj02 / The coordinate system must be wgs84 or gcj02');
};

/** Tag names a resident table may use, in Chinese or English. */
export const tagNames: Record<string, (typeof residentTags)[number]> = {
  独居老人: 'elderly_living_alone',
  空巢老人: 'elderly_living_alone',
  残疾人: 'disabled',
  流动人口: 'floating_population',
  低保户: 'low_income',
  低收入: 'low_income',
  低保: 'low_income',
  退役军人: 'veteran',
  留守儿童: 'left_behind_child',
  重点人员: 'key_person',
  重点人群: 'key_person',
};
for (const tag of residentTags) tagNames[tag] = tag;

export const tags: Validator<string[]> = (raw) => {
  const names = raw.split(/[,，、;；|]/).map((name) => name.trim()).filter(Boolean);
  const result = new Set<string>();
  for (const name of names) {
    const tag = tagNames[name] ?? tagNames[name.toLowerCase().replace(/[\s-]/g, '_')];
    if (!tag) return bad(`未知标签“${name}” / Unknown tag "${name}" (known: ${residentTags.join(', ')})`);
    result.add(tag);
  }
  return ok([...result]);
};

/** Roles a staff table may name, in English or Chinese. The three separated administrators are excluded. */
export const roleNames: Record<string, Role> = {
  网格员: 'grid_worker',
  网格长: 'grid_head',
  楼栋长: 'building_head',
  联户长: 'household_link_head',
  社区书记: 'dispatcher',
  接线员: 'dispatcher',
  街道干部: 'street_officer',
  部门人员: 'department_staff',
  职能部门: 'department_staff',
  区县管理员: 'district_admin',
  区管理员: 'district_admin',
  市管理员: 'city_admin',
};
export const importableRoles: Role[] = roles.filter((role) => !separatedAdministratorRoles.includes(role));
for (const role of importableRoles) roleNames[role] = role;

export const role: Validator<Role> = (raw) => {
  const value = raw.trim();
  const lower = value.toLowerCase();
  if (separatedAdministratorRoles.includes(lower as Role)) {
    return bad('系统管理员、安全管理员、审计管理员不能通过导入创建 / The system, security and audit administrators cannot be imported');
  }
  const found = roleNames[value] ?? roleNames[lower];
  return found ? ok(found) : bad(`未知角色“${value}” / Unknown role "${value}" (allowed: ${importableRoles.join(', ')})`);
};

export const username: Validator<string> = (raw) =>
  /^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$/.test(raw) ? ok(raw) : bad('用户名应为3到64位字母、数字或 _ . @ - / The username must be 3–64 letters, digits or _ . @ -');

export const regionLevelsImportable = ['city', 'district', 'street', 'community', 'compound', 'grid'] as const;
export type ImportableLevel = (typeof regionLevelsImportable)[number];
const levelNames: Record<string, ImportableLevel> = { 市: 'city', 区: 'district', 县: 'district', 区县: 'district', 街道: 'street', 乡镇: 'street', 社区: 'community', 小区: 'compound', 网格: 'grid' };
export const regionLevel: Validator<ImportableLevel> = (raw) => {
  const value = raw.trim().toLowerCase();
  const level = (regionLevelsImportable as readonly string[]).includes(value) ? (value as ImportableLevel) : levelNames[value];
  return level ? ok(level) : bad('层级应为 district/street/community/grid/compound / The level must be district, street, community, grid or compound');
};

export interface FieldSpec {
  name: string;
  label: string;
  required: boolean;
  validate: Validator;
  /** Other column headers that mean this field (matched when the mapping leaves it out; the console guesses with them). */
  aliases?: string[];
}

export type ImportKind = 'regions' | 'buildings' | 'households' | 'residents' | 'party_members' | 'staff' | 'case_history';

export interface ImportKindSpec {
  kind: ImportKind;
  label: string;
  formats: FileFormat[];
  fields: FieldSpec[];
  /** The policy that allows this kind (default: import / create). */
  ability?: { resource: 'import'; action: 'create' } | { resource: 'case_history'; action: 'import' };
}

const field = (name: string, label: string, required: boolean, validate: Validator, aliases?: string[]): FieldSpec => ({ name, label, required, validate, ...(aliases ? { aliases } : {}) });

/** Every import kind with its target fields: what the upload dialog shows and the validator applies. */
export const importKinds: ImportKindSpec[] = [
  {
    kind: 'regions',
    label: '区域与网格（GeoJSON） / Regions and grids (GeoJSON)',
    formats: ['geojson'],
    fields: [
      field('level', '层级 / Level', true, regionLevel),
      field('code', '编码 / Code', true, code),
      field('name', '名称 / Name', true, text(100)),
      field('parentCode', '上级编码 / Parent code', false, code),
      field('crs', '坐标系 / Coordinate system', false, coordinateSystem),
    ],
  },
  {
    kind: 'buildings',
    label: '楼栋 / Buildings',
    formats: ['csv', 'xlsx'],
    fields: [
      field('code', '楼栋编码 / Building code', true, code),
      field('name', '楼栋名称 / Building name', true, text(100)),
      field('gridCode', '所属网格编码 / Grid code', true, code),
      field('lng', '经度 / Longitude', true, longitude),
      field('lat', '纬度 / Latitude', true, latitude),
      field('address', '地址 / Address', true, text(300)),
      field('compoundCode', '所属小区编码 / Compound code', false, code),
      field('crs', '坐标系 / Coordinate system', false, coordinateSystem),
    ],
  },
  {
    kind: 'households',
    label: '户 / Households',
    formats: ['csv', 'xlsx'],
    fields: [
      field('code', '户编码 / Household code', true, code),
      field('buildingCode', '楼栋编码 / Building code', true, code),
      field('doorNumber', '门牌号 / Door number', true, text(50)),
      field('address', '地址 / Address', false, text(300)),
      field('phone', '联系电话 / Phone', false, mobilePhone),
    ],
  },
  {
    kind: 'residents',
    label: '居民 / Residents',
    formats: ['csv', 'xlsx'],
    fields: [
      field('householdCode', '户编码 / Household code', true, code),
      field('name', '姓名 / Name', true, text(50)),
      field('gender', '性别 / Gender', true, gender),
      field('birthDate', '出生日期 / Birth date', true, date),
      field('phone', '手机号 / Mobile phone', false, mobilePhone),
      field('idNumber', '身份证号 / ID number', false, idNumber),
      field('relationToHead', '与户主关系 / Relation to head', false, text(20)),
      field('isHead', '是否户主 / Head of household', false, boolean),
      field('tags', '标签 / Tags', false, tags),
    ],
  },
  {
    kind: 'party_members',
    label: '党员 / Party members',
    formats: ['csv', 'xlsx'],
    fields: [
      field('name', '姓名 / Name', true, text(50)),
      field('partyOrganizationCode', '党组织编码 / Party organisation code', true, code),
      field('phone', '手机号 / Mobile phone', false, mobilePhone),
      field('idNumber', '身份证号 / ID number', false, idNumber),
      field('residentIdNumber', '关联居民身份证号 / Resident ID number (to link)', false, idNumber),
      field('isServing', '是否在职党员 / Serving party member', false, boolean),
      field('servingUnitCode', '在职单位编码 / Serving unit code', false, code),
      field('joinedOn', '入党日期 / Joined on', false, date),
    ],
  },
  {
    kind: 'staff',
    label: '工作人员账号 / Staff accounts',
    formats: ['csv', 'xlsx'],
    fields: [
      field('username', '用户名 / Username', true, username),
      field('displayName', '姓名 / Display name', true, text(50)),
      field('phone', '手机号 / Mobile phone', false, mobilePhone),
      field('role', '角色 / Role', true, role),
      field('scopeCode', '负责区域编码 / Region code', false, code),
      field('unitCode', '部门编码（部门人员） / Department code (department staff)', false, code),
      field('password', '初始密码 / Initial password', false, text(200)),
    ],
  },
  {
    kind: 'case_history',
    label: '历史工单 / Past cases (another hotline system)',
    formats: ['csv', 'xlsx'],
    ability: { resource: 'case_history', action: 'import' },
    fields: [
      field('created', '受理时间 / Received at', true, history.moment, ['来电时间', '登记时间', '创建时间', '诉求时间', '接件时间', '发起时间', '受理日期']),
      field('number', '原工单编号 / Original number', false, text(60), ['工单编号', '工单号', '编号', '案件编号', '诉求编号', '流水号']),
      field('title', '标题 / Title', false, text(200), ['工单标题', '诉求标题', '主题', '事项名称']),
      field('description', '诉求内容 / Description', false, text(4000), ['内容', '工单内容', '问题描述', '诉求描述', '来电内容', '反映内容', '事项描述']),
      field('category', '诉求类别 / Category', false, text(100), ['类别', '分类', '工单类别', '事项类别', '问题类型', '诉求类型', '问题分类']),
      field('department', '承办单位 / Handling unit', false, text(300), ['承办部门', '主办单位', '处理部门', '办理单位', '责任单位', '处置部门']),
      field('address', '地址 / Address', false, text(300), ['诉求地址', '事发地址', '发生地址', '问题地址', '详细地址', '所在地']),
      field('lng', '经度 / Longitude', false, longitude, ['lon', 'x']),
      field('lat', '纬度 / Latitude', false, latitude, ['y']),
      field('crs', '坐标系 / Coordinate system', false, coordinateSystem),
      field('status', '状态 / Status', false, text(50), ['办理状态', '工单状态', '处理状态', '案件状态']),
      field('dispatched', '派单时间 / Dispatched at', false, history.moment, ['派发时间', '转办时间', '交办时间', '分派时间']),
      field('contactDue', '联系时限 / Contact due', false, history.moment, ['首次联系时限', '响应时限']),
      field('contacted', '联系时间 / Contacted at', false, history.moment, ['首次联系时间', '响应时间', '签收时间']),
      field('due', '办理时限 / Due', false, history.moment, ['办结时限', '截止时间', '处理时限', '承诺办结时间']),
      field('replied', '答复时间 / Replied at', false, history.moment, ['回复时间', '反馈时间', '答复日期']),
      field('closed', '办结时间 / Closed at', false, history.moment, ['结案时间', '完成时间', '关闭时间', '办结日期', '归档时间']),
      field('satisfaction', '满意度 / Satisfaction', false, history.satisfaction, ['回访满意度', '评价', '满意程度', '满意情况', '评价结果']),
      field('resolved', '是否解决 / Resolved', false, history.resolved, ['解决情况', '是否已解决', '解决与否']),
      field('channel', '渠道 / Channel', false, history.channel, ['来源', '来源渠道', '受理渠道', '诉求渠道']),
      field('color', '分级 / Colour', false, history.color, ['紧急程度', '等级']),
    ],
  },
];

export const kindSpec = (kind: string): ImportKindSpec | undefined => importKinds.find((spec) => spec.kind === kind);

export const abilityOf = (spec: ImportKindSpec) => spec.ability ?? ({ resource: 'import', action: 'create' } as const);

/** What `GET /imports/kinds` shows (the kinds `allowed` keeps): no validators. */
export const describeKinds = (allowed: (spec: ImportKindSpec) => boolean = () => true) =>
  importKinds
    .filter(allowed)
    .map((spec) => ({
      kind: spec.kind,
      label: spec.label,
      formats: spec.formats,
      fields: spec.fields.map(({ name, label, required, aliases }) => ({ name, label, required, ...(aliases ? { aliases } : {}) })),
    }));
