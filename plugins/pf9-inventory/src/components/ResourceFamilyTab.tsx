import Box from '@material-ui/core/Box';
import {
  INVENTORY_TYPES_BY_FAMILY,
  InventoryFamily,
  InventoryType,
} from '@internal/plugin-pf9-common';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ResourceDrawer, ResourceRef } from './ResourceDrawer';
import { ResourceFilterBar, ResourceFilters } from './ResourceFilterBar';
import { ResourceTable } from './ResourceTable';

/**
 * One family tab (compute, storage, network, identity): filters, a server-paged table and a drawer. A deep
 * link `?type=<type>&id=<id>` opens with that type selected and that resource's drawer open.
 */
export function ResourceFamilyTab(props: {
  family: InventoryFamily;
  cloudId?: string;
  refreshKey?: number;
}) {
  const { family, cloudId, refreshKey } = props;
  const types = INVENTORY_TYPES_BY_FAMILY[family];
  const [searchParams, setSearchParams] = useSearchParams();
  const linkedType = types.find(t => t === searchParams.get('type'));
  const linkedId = searchParams.get('id');
  const [type, setType] = useState<InventoryType>(linkedType ?? types[0]);
  const [filters, setFilters] = useState<ResourceFilters>({});
  const [selected, setSelected] = useState<ResourceRef | undefined>(
    linkedType && linkedId ? { type: linkedType, id: linkedId } : undefined,
  );
  const close = () => {
    setSelected(undefined);
    if (searchParams.has('id')) {
      const next = new URLSearchParams(searchParams);
      next.delete('id');
      setSearchParams(next, { replace: true });
    }
  };

  return (
    <>
      <Box mb={2}>
        <ResourceFilterBar
          types={types}
          type={type}
          onTypeChange={setType}
          filters={filters}
          onFiltersChange={setFilters}
        />
      </Box>
      <ResourceTable
        type={type}
        cloudId={cloudId}
        filters={filters}
        refreshKey={refreshKey}
        onSelect={r => setSelected({ type: r.type, id: r.id })}
      />
      <ResourceDrawer resource={selected} cloudId={cloudId} onClose={close} />
    </>
  );
}
