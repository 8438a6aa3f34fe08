import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type { InventoryType } from '@internal/plugin-pf9-common';
import { useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { typeLabel } from '../lib/format';

/** The server-side filters of a resource table (all optional). */
export interface ResourceFilters {
  q?: string;
  projectId?: string;
  domainId?: string;
  status?: string;
  includeDeleted?: boolean;
}

type TextFilter = 'q' | 'projectId' | 'domainId' | 'status';

const TEXT_FILTERS: { key: TextFilter; label: string; width: number }[] = [
  { key: 'q', label: 'Search', width: 280 },
  { key: 'projectId', label: 'Project ID', width: 220 },
  { key: 'domainId', label: 'Domain ID', width: 220 },
  { key: 'status', label: 'Status', width: 140 },
];

export const FILTER_DEBOUNCE_MS = 400;

const clean = (text: string) => text.trim() || undefined;

/** Type selector plus search, project, domain and status filters; text filters apply after a pause. */
export function ResourceFilterBar(props: {
  types: readonly InventoryType[];
  type: InventoryType;
  onTypeChange: (type: InventoryType) => void;
  filters: ResourceFilters;
  onFiltersChange: (filters: ResourceFilters) => void;
}) {
  const { types, type, onTypeChange, filters, onFiltersChange } = props;
  const [text, setText] = useState<Record<TextFilter, string>>({
    q: filters.q ?? '',
    projectId: filters.projectId ?? '',
    domainId: filters.domainId ?? '',
    status: filters.status ?? '',
  });

  useDebounce(
    () => {
      const next: ResourceFilters = {
        q: clean(text.q),
        projectId: clean(text.projectId),
        domainId: clean(text.domainId),
        status: clean(text.status),
        includeDeleted: filters.includeDeleted,
      };
      if (TEXT_FILTERS.some(({ key }) => next[key] !== filters[key])) {
        onFiltersChange(next);
      }
    },
    FILTER_DEBOUNCE_MS,
    [text],
  );

  return (
    <Box display="flex" flexWrap="wrap" alignItems="center" style={{ gap: 16 }}>
      <TextField
        select
        label="Type"
        value={type}
        onChange={e => onTypeChange(e.target.value as InventoryType)}
        style={{ width: 220 }}
        inputProps={{ 'aria-label': 'Resource type' }}
      >
        {types.map(t => (
          <MenuItem key={t} value={t}>
            {typeLabel(t)}
          </MenuItem>
        ))}
      </TextField>
      {TEXT_FILTERS.map(({ key, label, width }) => (
        <TextField
          key={key}
          label={label}
          value={text[key]}
          onChange={e => setText({ ...text, [key]: e.target.value })}
          style={{ width }}
          inputProps={{ 'aria-label': label }}
          placeholder={key === 'q' ? 'name, id, IP…' : undefined}
        />
      ))}
      <FormControlLabel
        control={
          <Checkbox
            checked={!!filters.includeDeleted}
            onChange={e =>
              onFiltersChange({ ...filters, includeDeleted: e.target.checked })
            }
          />
        }
        label="Include deleted"
      />
    </Box>
  );
}
