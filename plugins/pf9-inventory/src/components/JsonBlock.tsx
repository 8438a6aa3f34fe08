import Typography from '@material-ui/core/Typography';

/** A JSON value, pretty-printed in a scrollable monospace block. */
export function JsonBlock(props: { value: unknown; emptyText?: string }) {
  if (props.value === null || props.value === undefined) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.emptyText ?? 'Nothing stored.'}
      </Typography>
    );
  }
  return (
    <pre
      style={{
        margin: 0,
        maxHeight: '60vh',
        overflow: 'auto',
        fontSize: '0.8rem',
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
      }}
    >
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}
