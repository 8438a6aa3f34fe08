import Button from '@material-ui/core/Button';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { ExportDialog } from './ExportDialog';

/** Opens the export dialog for a cloud. Render it only for callers whose /access/me lists pf9.inventory.export. */
export function ExportButton(props: {
  cloudId: string;
  canExportUnmasked: boolean;
  pollMs?: number;
}) {
  const [open, setOpen] = useState(false);
  // a fresh dialog (options, job, errors) every time it opens
  const [session, setSession] = useState(0);
  return (
    <>
      <Button
        variant="outlined"
        color="primary"
        startIcon={<GetAppIcon />}
        onClick={() => {
          setSession(s => s + 1);
          setOpen(true);
        }}
      >
        Export
      </Button>
      <ExportDialog
        key={session}
        open={open}
        onClose={() => setOpen(false)}
        cloudId={props.cloudId}
        canExportUnmasked={props.canExportUnmasked}
        pollMs={props.pollMs}
      />
    </>
  );
}
