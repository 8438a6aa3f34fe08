import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Link, useLocation, useResolvedPath } from 'react-router-dom';

/** One tab: `path` is relative to the page ('' for the page itself). */
export interface Pf9TabDef {
  path: string;
  label: string;
}

/** The page's tab row; each tab is a link, so every tab has its own URL (deep links). */
export function Pf9TabBar(props: { tabs: Pf9TabDef[] }) {
  const { tabs } = props;
  const base = useResolvedPath('.').pathname.replace(/\/+$/, '');
  const { pathname } = useLocation();
  const segment = pathname.startsWith(base)
    ? pathname.slice(base.length).replace(/^\/+/, '').split('/')[0]
    : '';
  const selected = tabs.findIndex(t => t.path === segment);

  return (
    <Tabs
      value={selected === -1 ? false : selected}
      indicatorColor="primary"
      textColor="primary"
      variant="scrollable"
      scrollButtons="auto"
      aria-label="PF9 Ops sections"
      style={{ paddingLeft: 24, paddingRight: 24 }}
    >
      {tabs.map(t => (
        <Tab
          key={t.path || 'overview'}
          label={t.label}
          component={Link}
          to={t.path ? `${base}/${t.path}` : base || '/'}
        />
      ))}
    </Tabs>
  );
}
