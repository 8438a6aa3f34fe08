import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { pf9ApiRef } from '../pf9Inventory';
import { useState } from 'react';

/** Asks for a reason, then cancels the job (RST-16); a refusal (e.g. past the point of no return) is shown. */
export function CancelJobButton(props: {
  jobId: string;
  onCanceled: () => void;
}) {
  const { jobId, onCanceled } = props;
  const client = useApi(pf9ApiRef);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client.cancelRestoreJob(jobId, reason.trim() || undefined);
      setOpen(false);
      onCanceled();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button
        variant="outlined"
        color="secondary"
        onClick={() => setOpen(true)}
      >
        Cancel restore
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)}>
        <DialogTitle>Cancel restore job {jobId}?</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            A running job stops at its next step and rolls back what it created.
          </Typography>
          <TextField
            id="restore-cancel-reason"
            label="Reason"
            fullWidth
            value={reason}
            onChange={e => setReason(e.target.value)}
          />
          {error && (
            <Typography color="error" variant="body2" role="alert">
              {error}
            </Typography>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Keep running</Button>
          <Button color="secondary" disabled={busy} onClick={cancel}>
            Cancel the job
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
