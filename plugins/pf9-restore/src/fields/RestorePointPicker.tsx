import { useApi } from '@backstage/frontend-plugin-api';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type { RestorePoint } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../pf9Inventory';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import { formatDateTime } from '../lib/status';

export interface RestorePointPickerOptions {
  /** the form field holding the server id (default `serverId`) */
  serverIdField?: string;
  /** the form field holding the cloud id (default `cloudId`) */
  cloudIdField?: string;
}

const KIND_LABELS: Record<RestorePoint['kind'], string> = {
  volume_snapshot: 'volume snapshot',
  server_image: 'server image',
  server_image_volume_backed: 'server image (volume-backed)',
};

function pointLabel(point: RestorePoint): string {
  const size = point.sizeGb === null ? '' : ` · ${point.sizeGb} GB`;
  const origin = point.managed
    ? ` · policy ${point.policy ?? '—'}`
    : ' · unmanaged';
  return `${formatDateTime(point.createdAt)} · ${KIND_LABELS[point.kind]} · ${
    point.name || point.id
  }${size}${origin}`;
}

function readField(formContext: unknown, field: string): string | undefined {
  const data = (formContext as { formData?: Record<string, unknown> })
    ?.formData;
  const value = data?.[field];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * Scaffolder field `Pf9RestorePointPicker`: the restore points of the server named in another field of
 * the form (RST-3), newest first. Cinder snapshots of an image-booted server are listed but cannot be
 * chosen (RST-4).
 */
export function RestorePointPicker(
  props: FieldExtensionComponentProps<string, RestorePointPickerOptions>,
) {
  const {
    formData,
    onChange,
    rawErrors,
    required,
    schema,
    uiSchema,
    formContext,
    idSchema,
  } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const serverId = readField(formContext, options.serverIdField ?? 'serverId');
  const cloudId = readField(formContext, options.cloudIdField ?? 'cloudId');
  const client = useApi(pf9ApiRef);
  const { value, loading, error } = useAsync(
    async () =>
      serverId ? client.listRestorePoints(serverId, { cloudId }) : undefined,
    [client, serverId, cloudId],
  );

  const imageBooted = value?.bootMode === 'image';
  let help = schema.description ?? '';
  if (!serverId) help = 'Enter the server ID first.';
  else if (loading) help = 'Loading restore points…';
  else if (error) help = `Could not load restore points: ${error.message}`;
  else if (value && value.items.length === 0) {
    help = `${value.serverName ?? serverId} has no restore points.`;
  } else if (value) {
    help = `${value.serverName ?? serverId}: ${value.bootMode}-booted${
      value.fromHistory
        ? '; the server is gone, values come from its deletion record'
        : ''
    }`;
  }

  return (
    <FormControl
      margin="normal"
      required={required}
      error={!!rawErrors?.length || !!error}
      fullWidth
    >
      <TextField
        id={idSchema?.$id}
        select
        label={schema.title ?? 'Restore point'}
        required={required}
        value={formData ?? ''}
        disabled={!value || value.items.length === 0}
        onChange={e => onChange(e.target.value as string)}
        error={!!rawErrors?.length || !!error}
        inputProps={{ 'aria-label': schema.title ?? 'Restore point' }}
      >
        {(value?.items ?? []).map(point => {
          const unsupported = imageBooted && point.kind === 'volume_snapshot';
          return (
            <MenuItem key={point.id} value={point.id} disabled={unsupported}>
              {pointLabel(point)}
              {unsupported
                ? ' — image-booted server: choose a server image snapshot'
                : ''}
            </MenuItem>
          );
        })}
      </TextField>
      <FormHelperText>{help}</FormHelperText>
    </FormControl>
  );
}
