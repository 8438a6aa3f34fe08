import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import type {
  RestoreJobStatus,
  RestoreStepStatus,
} from '@internal/plugin-pf9-common';

type Tone = 'ok' | 'error' | 'warning' | 'running' | 'neutral';

const TONES: Record<RestoreJobStatus | RestoreStepStatus, Tone> = {
  SUCCEEDED: 'ok',
  DRY_RUN_COMPLETED: 'ok',
  SIMULATED: 'ok',
  FAILED: 'error',
  ROLLBACK_FAILED: 'error',
  CANCEL_REQUESTED: 'warning',
  ROLLING_BACK: 'warning',
  ROLLED_BACK: 'warning',
  CANCELED: 'warning',
  RUNNING: 'running',
  PENDING: 'neutral',
  PLANNED: 'neutral',
  EXPIRED: 'neutral',
  SKIPPED: 'neutral',
};

const useStyles = makeStyles((theme: Theme) => ({
  ok: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  running: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  neutral: {},
}));

/** A job or step status as a coloured chip. */
export function RestoreStatusChip(props: {
  status: RestoreJobStatus | RestoreStepStatus;
}) {
  const classes = useStyles();
  const { status } = props;
  return (
    <Chip
      size="small"
      label={status}
      className={classes[TONES[status] ?? 'neutral']}
    />
  );
}
