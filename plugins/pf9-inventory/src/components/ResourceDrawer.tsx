import Box from '@material-ui/core/Box';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import CloseIcon from '@material-ui/icons/Close';
import type { InventoryType } from '@internal/plugin-pf9-common';
import { ResourceDetails } from './ResourceDetails';

/** The resource a drawer shows. */
export interface ResourceRef {
  type: InventoryType;
  id: string;
}

/** A right-hand drawer with one resource's details; closed when `resource` is undefined. */
export function ResourceDrawer(props: {
  resource: ResourceRef | undefined;
  cloudId?: string;
  onClose: () => void;
}) {
  const { resource, cloudId, onClose } = props;
  return (
    <Drawer anchor="right" open={!!resource} onClose={onClose}>
      <Box
        width={720}
        maxWidth="100vw"
        p={3}
        position="relative"
        role="region"
        aria-label="Resource details"
      >
        <Box position="absolute" top={8} right={8}>
          <IconButton aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        {resource && (
          <ResourceDetails
            key={`${resource.type}/${resource.id}`}
            type={resource.type}
            id={resource.id}
            cloudId={cloudId}
          />
        )}
      </Box>
    </Drawer>
  );
}
