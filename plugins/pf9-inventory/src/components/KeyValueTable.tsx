import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatValue } from '../lib/format';

/** The fields of an object as a two-column table, in key order. */
export function KeyValueTable(props: {
  values: Record<string, unknown> | null | undefined;
  emptyText?: string;
}) {
  const entries = Object.entries(props.values ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  if (!entries.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.emptyText ?? 'No fields.'}
      </Typography>
    );
  }
  return (
    <Table size="small">
      <TableBody>
        {entries.map(([key, value]) => (
          <TableRow key={key}>
            <TableCell component="th" scope="row" style={{ width: '35%' }}>
              <code>{key}</code>
            </TableCell>
            <TableCell style={{ wordBreak: 'break-word' }}>
              {formatValue(value)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
