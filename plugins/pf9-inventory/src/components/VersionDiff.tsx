import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { InventoryVersion } from '@internal/plugin-pf9-common';
import { formatDateTime, formatValue } from '../lib/format';
import { versionDiff } from '../lib/versionDiff';
import { KeyValueTable } from './KeyValueTable';

const FIRST_SIGHTING = new Set(['discovered', 'created']);

/** What one version changed: each changed field, old value → new value. */
export function VersionDiff(props: {
  version: InventoryVersion;
  /** the version before it; undefined for a first sighting or while it loads */
  previous: InventoryVersion | undefined;
}) {
  const { version, previous } = props;
  const heading = (
    <Typography variant="subtitle2" gutterBottom>
      Version {version.versionNo} · {version.changeType} ·{' '}
      {formatDateTime(version.recordedAt)} · run <code>{version.runId}</code>
    </Typography>
  );

  if (version.changeType === 'deleted') {
    return (
      <>
        {heading}
        <Typography variant="body2" gutterBottom>
          Recorded as deleted. Its last known content:
        </Typography>
        <KeyValueTable values={version.normalised} />
      </>
    );
  }

  const changes = versionDiff(version, previous);
  return (
    <>
      {heading}
      {FIRST_SIGHTING.has(version.changeType) && (
        <Typography variant="body2" gutterBottom>
          First sighting: every field is new.
        </Typography>
      )}
      {changes.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No field changed.
        </Typography>
      ) : (
        <Table
          size="small"
          aria-label={`Changes in version ${version.versionNo}`}
        >
          <TableHead>
            <TableRow>
              <TableCell style={{ width: '30%' }}>Field</TableCell>
              <TableCell style={{ width: '35%' }}>Old</TableCell>
              <TableCell style={{ width: '35%' }}>New</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {changes.map(change => (
              <TableRow key={change.field}>
                <TableCell>
                  <code>{change.field}</code>
                </TableCell>
                <TableCell
                  style={{ wordBreak: 'break-word' }}
                  data-testid={`old-${change.field}`}
                >
                  {formatValue(change.old)}
                </TableCell>
                <TableCell
                  style={{ wordBreak: 'break-word' }}
                  data-testid={`new-${change.field}`}
                >
                  {formatValue(change.new)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
