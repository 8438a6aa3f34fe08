import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import IconButton from '@material-ui/core/IconButton';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Box from '@material-ui/core/Box';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  RESTORE_IP_STRATEGIES,
  RestoreIpStrategy,
  RestoreMode,
} from '@internal/plugin-pf9-common';
import type {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';

/** The value of the field: a strategy and, for MANUAL_IP, network id → address. */
export interface IpStrategyValue {
  strategy: RestoreIpStrategy;
  manualIps?: Record<string, string>;
}

export interface IpStrategyPickerOptions {
  /** the form field holding the restore mode (default `mode`) */
  modeField?: string;
}

const LABELS: Record<RestoreIpStrategy, string> = {
  NEW_IPS: 'New addresses',
  TRY_SAME_IPS: 'Try the same addresses',
  SAME_IPS_OR_FAIL: 'Same addresses or fail',
  MANUAL_IP: 'Addresses I choose',
};

/** What each strategy does in each mode (RST-8). */
const EXPLANATIONS: Record<RestoreMode, Record<RestoreIpStrategy, string>> = {
  side_by_side: {
    NEW_IPS: 'Neutron assigns new addresses.',
    TRY_SAME_IPS:
      'The original keeps its addresses while it runs, so new ones are taken (with a warning); if it is gone, its addresses are requested when free.',
    SAME_IPS_OR_FAIL:
      'Only possible when the original server is gone; otherwise the plan is blocked (SAME_IP_IMPOSSIBLE).',
    MANUAL_IP:
      'Each address you give must be free and inside its network’s subnet; other networks get an address from Neutron.',
  },
  replace: {
    NEW_IPS: 'Neutron assigns new addresses; surviving ports are deleted.',
    TRY_SAME_IPS:
      'Ports that survive the deletion are re-used, else the original address is requested, else a new one is taken.',
    SAME_IPS_OR_FAIL:
      'As “try”, but an address that cannot be had fails the restore and rolls it back.',
    MANUAL_IP:
      'Each address you give must be free and inside its network’s subnet; other networks get an address from Neutron.',
  },
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:.]*$/;

function isIpAddress(value: string): boolean {
  return IPV4.test(value) || IPV6.test(value);
}

type Row = [networkId: string, ip: string];

/**
 * Scaffolder field `Pf9IpStrategyPicker`: the IP strategy of the restore, explained for the mode chosen
 * in another field, with a network → address editor for MANUAL_IP.
 */
export function IpStrategyPicker(
  props: FieldExtensionComponentProps<IpStrategyValue, IpStrategyPickerOptions>,
) {
  const { formData, onChange, rawErrors, schema, uiSchema, formContext } =
    props;
  const modeField = uiSchema?.['ui:options']?.modeField ?? 'mode';
  const mode: RestoreMode =
    (formContext as { formData?: Record<string, unknown> })?.formData?.[
      modeField
    ] === 'replace'
      ? 'replace'
      : 'side_by_side';
  const strategy = formData?.strategy ?? 'NEW_IPS';
  const rows: Row[] = Object.entries(formData?.manualIps ?? {});

  const setRows = (next: Row[]) =>
    onChange({ strategy, manualIps: Object.fromEntries(next) });
  const setStrategy = (next: RestoreIpStrategy) =>
    onChange(
      next === 'MANUAL_IP'
        ? { strategy: next, manualIps: formData?.manualIps ?? {} }
        : { strategy: next },
    );

  return (
    <FormControl
      component="fieldset"
      margin="normal"
      error={!!rawErrors?.length}
      fullWidth
    >
      <FormLabel component="legend">{schema.title ?? 'IP addresses'}</FormLabel>
      <RadioGroup
        value={strategy}
        onChange={e => setStrategy(e.target.value as RestoreIpStrategy)}
      >
        {RESTORE_IP_STRATEGIES.map(s => (
          <FormControlLabel
            key={s}
            value={s}
            control={<Radio />}
            label={`${LABELS[s]} (${s})`}
          />
        ))}
      </RadioGroup>
      <FormHelperText>{EXPLANATIONS[mode][strategy]}</FormHelperText>
      {strategy === 'MANUAL_IP' && (
        <Box mt={1}>
          {rows.map(([networkId, ip], index) => (
            <Box key={index} display="flex" style={{ gap: 8 }} mb={1}>
              <TextField
                id={`manual-ip-network-${index}`}
                label="Network ID"
                value={networkId}
                onChange={e =>
                  setRows(
                    rows.map((r, i) =>
                      i === index ? [e.target.value, r[1]] : r,
                    ),
                  )
                }
              />
              <TextField
                id={`manual-ip-address-${index}`}
                label="IP address"
                value={ip}
                onChange={e =>
                  setRows(
                    rows.map((r, i) =>
                      i === index ? [r[0], e.target.value] : r,
                    ),
                  )
                }
              />
              <IconButton
                aria-label={`Remove network ${index + 1}`}
                onClick={() => setRows(rows.filter((_, i) => i !== index))}
              >
                <DeleteIcon />
              </IconButton>
            </Box>
          ))}
          <Button
            size="small"
            variant="outlined"
            onClick={() => setRows([...rows, ['', '']])}
          >
            Add a network
          </Button>
        </Box>
      )}
    </FormControl>
  );
}

/** MANUAL_IP needs at least one network, each with a valid address. */
export const validateIpStrategy: CustomFieldValidator<IpStrategyValue> = (
  value,
  validation,
) => {
  if (value?.strategy !== 'MANUAL_IP') return;
  const entries = Object.entries(value.manualIps ?? {});
  if (entries.length === 0) {
    validation.addError('Give at least one network and its address');
  }
  for (const [networkId, ip] of entries) {
    if (!networkId.trim()) validation.addError('A network ID is missing');
    if (!isIpAddress(ip.trim())) {
      validation.addError(`"${ip}" is not an IP address`);
    }
  }
};
