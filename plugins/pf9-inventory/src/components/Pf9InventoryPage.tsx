import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  INVENTORY_FAMILIES,
  InventoryFamily,
  pf9Permissions,
} from '@internal/plugin-pf9-common';
import { ReactNode, useCallback, useState } from 'react';
import { Route, Routes } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { ComplianceTab } from './ComplianceTab';
import { DeletionsTab } from './DeletionsTab';
import { InventorySection } from './InventorySection';
import { Pf9OverviewPage } from './Pf9OverviewPage';
import { Pf9TabBar, Pf9TabDef } from './Pf9TabBar';
import { ResourceFamilyTab } from './ResourceFamilyTab';
import { RunsTab } from './RunsTab';
import { SnapshotsTab } from './SnapshotsTab';

const FAMILY_TITLES: Record<InventoryFamily, string> = {
  compute: 'Compute',
  storage: 'Storage',
  network: 'Network',
  identity: 'Identity',
};

export const PF9_TABS: Pf9TabDef[] = [
  { path: '', label: 'Overview' },
  ...INVENTORY_FAMILIES.map(f => ({ path: f, label: FAMILY_TITLES[f] })),
  { path: 'runs', label: 'Runs' },
  { path: 'deletions', label: 'Deletions' },
  { path: 'compliance', label: 'Compliance' },
  { path: 'snapshots', label: 'Snapshots' },
];

/**
 * The PF9 Ops page: the overview at /pf9, the inventory tabs at /pf9/compute, /pf9/storage,
 * /pf9/network, /pf9/identity, /pf9/runs and /pf9/deletions, and the snapshot tabs at /pf9/compliance
 * and /pf9/snapshots.
 */
export function Pf9InventoryPage() {
  const client = useApi(pf9ApiRef);
  const { value, loading, error } = useAsync(
    async () =>
      Promise.all([client.getHealth(), client.getAccessMe()]).then(
        ([health, me]) => ({ health, me }),
      ),
    [client],
  );
  const [chosenCloud, setChosenCloud] = useState<string>();
  const [refreshKey, setRefreshKey] = useState(0);
  const onSyncFinished = useCallback(() => setRefreshKey(k => k + 1), []);

  const can = (permission: string) =>
    !!value?.me.permissions.includes(permission);

  /** A tab's frame; `inventory` tabs also get the inventory's Export and Sync now buttons. */
  const section = (
    title: string,
    body: (cloudId: string) => ReactNode,
    inventory = true,
  ) => {
    if (loading) return <Progress />;
    if (error || !value) {
      return <ResponseErrorPanel error={error ?? new Error('No data')} />;
    }
    const clouds = value.health.clouds;
    const cloudId =
      chosenCloud && clouds.includes(chosenCloud) ? chosenCloud : clouds[0];
    return (
      <InventorySection
        title={title}
        clouds={clouds}
        cloudId={cloudId}
        onCloudChange={setChosenCloud}
        canSync={inventory && can(pf9Permissions.inventorySync.name)}
        canExport={inventory && can(pf9Permissions.inventoryExport.name)}
        canExportUnmasked={can(pf9Permissions.inventoryExportUnmasked.name)}
        onSyncFinished={onSyncFinished}
      >
        {cloudId && body(cloudId)}
      </InventorySection>
    );
  };

  return (
    <>
      <Pf9TabBar tabs={PF9_TABS} />
      <Routes>
        <Route path="/" element={<Pf9OverviewPage />} />
        {INVENTORY_FAMILIES.map(family => (
          <Route
            key={family}
            path={`${family}/*`}
            element={section(FAMILY_TITLES[family], cloudId => (
              <ResourceFamilyTab
                key={`${family}/${cloudId}`}
                family={family}
                cloudId={cloudId}
                refreshKey={refreshKey}
              />
            ))}
          />
        ))}
        <Route
          path="runs/*"
          element={section('Sync runs', cloudId => (
            <RunsTab cloudId={cloudId} refreshKey={refreshKey} />
          ))}
        />
        <Route
          path="deletions/*"
          element={section('Deletions', cloudId => (
            <DeletionsTab cloudId={cloudId} refreshKey={refreshKey} />
          ))}
        />
        <Route
          path="compliance/*"
          element={section(
            'Snapshot SLA compliance',
            cloudId => (
              <ComplianceTab
                key={cloudId}
                cloudId={cloudId}
                canEvaluate={can(pf9Permissions.snapshotsRun.name)}
                refreshKey={refreshKey}
              />
            ),
            false,
          )}
        />
        <Route
          path="snapshots/*"
          element={section(
            'Snapshots',
            cloudId => (
              <SnapshotsTab
                key={cloudId}
                cloudId={cloudId}
                canRun={can(pf9Permissions.snapshotsRun.name)}
                refreshKey={refreshKey}
              />
            ),
            false,
          )}
        />
      </Routes>
    </>
  );
}
