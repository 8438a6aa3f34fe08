import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** Picks the cloud the inventory tabs show; renders nothing when only one cloud is configured. */
export function CloudSelector(props: {
  clouds: string[];
  value: string | undefined;
  onChange: (cloudId: string) => void;
}) {
  const { clouds, value, onChange } = props;
  if (clouds.length < 2) return null;
  return (
    <TextField
      select
      label="Cloud"
      value={value ?? ''}
      onChange={e => onChange(e.target.value)}
      style={{ minWidth: 160 }}
      inputProps={{ 'aria-label': 'Cloud' }}
    >
      {clouds.map(c => (
        <MenuItem key={c} value={c}>
          {c}
        </MenuItem>
      ))}
    </TextField>
  );
}
