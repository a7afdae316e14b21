import { useState } from 'react';
import { Alert, Button, type ButtonProps, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip } from 'antd';
import { PlusOutlined, UnlockOutlined } from '@ant-design/icons';
import { api, ApiError, asArray, isForbidden, type RoleDef, type UserItem } from '../api.ts';
import { Forbidden, formatTime, Masked, RegionTreeSelect, toastError, toastSuccess, useAsync, useAuth } from '../common.tsx';
import { useI18n } from '../i18n.ts';

/** Select/TreeSelect values are strings; send numeric ids as numbers. */
const toId = (v: string): string | number => (/^\d+$/.test(v) ? Number(v) : v);

const REGION_SCOPE_LEVELS = ['grid', 'building', 'community', 'street', 'district', 'city'];

export default function UsersPage() {
  const { t, e } = useI18n();
  const { me } = useAuth();
  const canManage = !!me?.abilities.manageUsers;
  const canAssign = !!me?.abilities.assignRoles;
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const list = useAsync(() => api.users({ q: q || undefined, page, pageSize }), [q, page, pageSize]);
  const rolesState = useAsync(() => api.roles(), [], { skip: !canAssign });
  const roleDefs = asArray(rolesState.data);
  const [createOpen, setCreateOpen] = useState(false);
  const [assignFor, setAssignFor] = useState<UserItem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  const run = async (key: string, fn: () => Promise<unknown>, ok: string) => {
    setBusy(key);
    try {
      await fn();
      toastSuccess(ok);
      list.reload();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(null);
    }
  };

  const roleLabel = (role: string) => {
    const def = roleDefs.find((r) => r.role === role);
    const l = e('role', role);
    return l !== role ? l : (def?.label ?? role);
  };

  const isLocked = (u: UserItem) => u.status === 'locked' || (!!u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now());

  return (
    <div className="cg-page" data-testid="users-page">
      <h2 className="cg-page-title">{t('usersTitle')}</h2>
      <div className="cg-toolbar">
        <Input.Search
          allowClear
          style={{ width: 260 }}
          placeholder={t('searchPlaceholder')}
          enterButton={t('search')}
          onSearch={(v) => {
            setQ(v.trim());
            setPage(1);
          }}
          data-testid="users-search"
        />
        <div style={{ flex: 1 }} />
        {canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreateOpen(true)} data-testid="create-user">
            {t('createUser')}
          </Button>
        )}
      </div>
      <Table<UserItem>
        rowKey={(r) => String(r.id)}
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(r) => ({ 'data-testid': 'user-row', 'data-username': r.username }) as React.HTMLAttributes<HTMLElement>}
        pagination={{
          current: list.data?.page ?? page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('total', { n }),
          onChange: (p, ps) => {
            setPage(ps !== pageSize ? 1 : p);
            setPageSize(ps);
          },
        }}
        columns={[
          { title: t('username'), dataIndex: 'username' },
          { title: t('displayName'), dataIndex: 'displayName' },
          { title: t('phone'), dataIndex: 'phone', render: (v: string | null) => <Masked value={v} /> },
          {
            title: t('status'),
            key: 'status',
            render: (_, u) => {
              const locked = isLocked(u);
              const s = locked ? 'locked' : u.status;
              const color = s === 'active' ? 'green' : s === 'locked' ? 'red' : 'default';
              const tag = (
                <Tag color={color} data-testid="user-status">
                  {t(`userStatus_${s}` as 'userStatus_active')}
                </Tag>
              );
              return locked && u.lockedUntil ? <Tooltip title={t('lockedUntil', { t: formatTime(u.lockedUntil) })}>{tag}</Tooltip> : tag;
            },
          },
          {
            title: t('roles'),
            key: 'roles',
            render: (_, u) => (
              <Space size={[0, 4]} wrap>
                {u.roles.length === 0 && <span style={{ color: '#bbb' }}>—</span>}
                {u.roles.map((r) => {
                  const scope = r.unitName ?? r.regionName;
                  const label = scope ? `${roleLabel(r.role)} · ${scope}` : roleLabel(r.role);
                  return canAssign ? (
                    <Popconfirm
                      key={String(r.id)}
                      title={t('revokeConfirm')}
                      okText={t('revokeRole')}
                      cancelText={t('cancel')}
                      onConfirm={() => run(`revoke-${r.id}`, () => api.revokeRole(r.id), t('roleRevoked'))}
                    >
                      <Tag color="blue" closable onClose={(ev) => ev.preventDefault()} data-testid="role-tag" style={{ cursor: 'pointer' }}>
                        {label}
                      </Tag>
                    </Popconfirm>
                  ) : (
                    <Tag color="blue" key={String(r.id)} data-testid="role-tag">
                      {label}
                    </Tag>
                  );
                })}
              </Space>
            ),
          },
          {
            title: t('actions'),
            key: 'actions',
            fixed: 'right',
            render: (_, u) => (
              <Space size={4}>
                {canAssign && (
                  <Button size="small" type="link" onClick={() => setAssignFor(u)} data-testid="assign-role">
                    {t('assignRole')}
                  </Button>
                )}
                {canManage && isLocked(u) && (
                  <Button
                    size="small"
                    type="link"
                    icon={<UnlockOutlined />}
                    loading={busy === `unlock-${u.id}`}
                    onClick={() => run(`unlock-${u.id}`, () => api.unlockUser(u.id), t('unlocked'))}
                    data-testid="unlock-user"
                  >
                    {t('unlock')}
                  </Button>
                )}
                {canManage &&
                  (u.status === 'disabled' ? (
                    <Button
                      size="small"
                      type="link"
                      loading={busy === `status-${u.id}`}
                      onClick={() => run(`status-${u.id}`, () => api.updateUser(u.id, { status: 'active' }), t('updated'))}
                      data-testid="enable-user"
                    >
                      {t('enable')}
                    </Button>
                  ) : (
                    <Popconfirm
                      title={t('disableConfirm')}
                      okText={t('disable')}
                      cancelText={t('cancel')}
                      onConfirm={() => run(`status-${u.id}`, () => api.updateUser(u.id, { status: 'disabled' }), t('updated'))}
                    >
                      <Button size="small" type="link" danger loading={busy === `status-${u.id}`} data-testid="disable-user">
                        {t('disable')}
                      </Button>
                    </Popconfirm>
                  ))}
              </Space>
            ),
          },
        ]}
      />
      <CreateUserModal
        open={createOpen}
        onClose={() => setCreateOpen(false)}
        onCreated={() => {
          setCreateOpen(false);
          list.reload();
        }}
      />
      <AssignRoleModal
        user={assignFor}
        roleDefs={roleDefs}
        roleLabel={roleLabel}
        onClose={() => setAssignFor(null)}
        onAssigned={() => {
          setAssignFor(null);
          list.reload();
        }}
      />
    </div>
  );
}

function CreateUserModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ username: string; displayName: string; phone?: string; password: string; partyMemberId?: number }>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await api.createUser({
        username: v.username.trim(),
        displayName: v.displayName.trim(),
        ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
        password: v.password,
        ...(v.partyMemberId ? { partyMemberId: v.partyMemberId } : {}),
      });
      toastSuccess(t('userCreated'));
      form.resetFields();
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) toastError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('createUser')}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('submit')}
      cancelText={t('cancel')}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'create-user-submit' } as ButtonProps}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="create-user-error" />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }]}>
          <Input autoComplete="off" data-testid="new-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true }]}>
          <Input data-testid="new-display-name" />
        </Form.Item>
        <Form.Item name="phone" label={t('phoneOptional')}>
          <Input data-testid="new-phone" />
        </Form.Item>
        <Form.Item name="partyMemberId" label={t('partyMemberIdOptional')} extra={t('partyMemberIdHint')}>
          <InputNumber min={1} precision={0} style={{ width: '100%' }} data-testid="new-party-member-id" />
        </Form.Item>
        <Form.Item name="password" label={t('initialPassword')} extra={t('passwordPolicyHint')} rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AssignRoleModal({
  user,
  roleDefs,
  roleLabel,
  onClose,
  onAssigned,
}: {
  user: UserItem | null;
  roleDefs: RoleDef[];
  roleLabel: (r: string) => string;
  onClose: () => void;
  onAssigned: () => void;
}) {
  const { t, e } = useI18n();
  const [role, setRole] = useState<string | undefined>();
  const [regionNodeId, setRegionNodeId] = useState<string | undefined>();
  const [unitId, setUnitId] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const def = roleDefs.find((r) => r.role === role);
  const scopeLevel = def?.scopeLevel ?? null;
  const needsRegion = !!scopeLevel && REGION_SCOPE_LEVELS.includes(scopeLevel);
  // Department staff pick a department; a unit liaison (单位联络员) any other unit (resident unit, agency, partner shop).
  const needsUnit = scopeLevel === 'department' || scopeLevel === 'unit';
  const units = useAsync(() => api.units(scopeLevel === 'department' ? { kind: 'department', pageSize: 200 } : { pageSize: 200 }), [scopeLevel], { skip: !needsUnit });

  const reset = () => {
    setRole(undefined);
    setRegionNodeId(undefined);
    setUnitId(undefined);
    setError(null);
  };

  const submit = async () => {
    if (!user || !role) return;
    setSaving(true);
    setError(null);
    try {
      await api.assignRole(user.id, {
        role,
        ...(needsRegion && regionNodeId ? { regionNodeId: toId(regionNodeId) } : {}),
        ...(needsUnit && unitId ? { unitId: toId(unitId) } : {}),
      });
      toastSuccess(t('roleAssigned'));
      reset();
      onAssigned();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const canSubmit = !!role && (!needsRegion || !!regionNodeId) && (!needsUnit || !!unitId);

  return (
    <Modal
      open={!!user}
      title={`${t('assignRole')}${user ? ` · ${user.displayName}（${user.username}）` : ''}`}
      onCancel={() => {
        reset();
        onClose();
      }}
      onOk={() => void submit()}
      okButtonProps={{ disabled: !canSubmit, 'data-testid': 'assign-role-submit' } as ButtonProps}
      confirmLoading={saving}
      okText={t('submit')}
      cancelText={t('cancel')}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form layout="vertical">
        <Form.Item label={t('role')} required>
          <Select
            data-testid="assign-role-select"
            value={role}
            onChange={(v) => {
              setRole(v);
              setRegionNodeId(undefined);
              setUnitId(undefined);
            }}
            options={roleDefs.map((r) => ({
              value: r.role,
              label: r.scopeLevel ? `${roleLabel(r.role)}（${e('level', r.scopeLevel)}）` : roleLabel(r.role),
            }))}
          />
        </Form.Item>
        {needsRegion && (
          <Form.Item label={t('scopeRegion')} required extra={t('scopeRegionLevel', { level: e('level', scopeLevel) })}>
            <RegionTreeSelect
              key={scopeLevel}
              value={regionNodeId}
              onChange={(v) => setRegionNodeId(v)}
              selectableLevel={scopeLevel}
              style={{ width: '100%' }}
              testId="assign-role-region"
            />
          </Form.Item>
        )}
        {needsUnit && (
          <Form.Item label={t('scopeUnit')} required>
            <Select
              data-testid="assign-role-unit"
              showSearch={{ optionFilterProp: 'label' }}
              loading={units.loading}
              value={unitId}
              onChange={setUnitId}
              options={(units.data?.items ?? []).filter((u) => (scopeLevel === 'department') === (u.kind === 'department')).map((u) => ({ value: String(u.id), label: u.name }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
