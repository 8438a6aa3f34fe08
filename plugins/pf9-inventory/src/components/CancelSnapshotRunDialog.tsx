import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { Pf9ApiError, SnapshotRun } from '@internal/plugin-pf9-common';
import { useEffect, useState } from 'react';
import { pf9ApiRef } from '../api';
import { errorMessage } from '../lib/format';

/** Confirms, then asks the run to stop (SNAP-24); open while `run` is set. A refusal is shown in the dialog. */
export function CancelSnapshotRunDialog(props: {
  run: SnapshotRun | undefined;
  onClose: () => void;
  onCanceled: (run: SnapshotRun) => void;
}) {
  const { run, onClose, onCanceled } = props;
  const client = useApi(pf9ApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => setError(undefined), [run]);

  const cancel = async () => {
    if (!run) return;
    setBusy(true);
    setError(undefined);
    try {
      onCanceled(await client.cancelSnapshotRun(run.id));
    } catch (e) {
      setError(
        e instanceof Pf9ApiError && e.status === 409
          ? 'This run is no longer running.'
          : errorMessage(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={!!run} onClose={onClose}>
      <DialogTitle>Cancel snapshot run {run?.id}?</DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          The run finishes the batch in hand, then stops and ends canceled.
          Snapshots already created are kept.
        </Typography>
        {error && (
          <Typography color="error" variant="body2" role="alert">
            {error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Keep running</Button>
        <Button color="secondary" disabled={busy} onClick={cancel}>
          Cancel the run
        </Button>
      </DialogActions>
    </Dialog>
  );
}
