import {
  Content,
  ContentHeader,
  WarningPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { ReactNode } from 'react';
import { CloudSelector } from './CloudSelector';
import { ExportButton } from './ExportButton';
import { SyncNowButton } from './SyncNowButton';

/** The frame of every inventory tab: a title, the cloud selector and, for those allowed, Export and Sync now. */
export function InventorySection(props: {
  title: string;
  clouds: string[];
  cloudId: string | undefined;
  onCloudChange: (cloudId: string) => void;
  canSync: boolean;
  /** /access/me lists pf9.inventory.export */
  canExport?: boolean;
  /** /access/me lists pf9.inventory.export.unmasked */
  canExportUnmasked?: boolean;
  onSyncFinished: () => void;
  children: ReactNode;
}) {
  const { title, clouds, cloudId, onCloudChange, canSync, onSyncFinished } =
    props;
  return (
    <Content>
      <ContentHeader title={title}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <CloudSelector
            clouds={clouds}
            value={cloudId}
            onChange={onCloudChange}
          />
          {props.canExport && cloudId && (
            <ExportButton
              key={`export-${cloudId}`}
              cloudId={cloudId}
              canExportUnmasked={!!props.canExportUnmasked}
            />
          )}
          {canSync && cloudId && (
            <SyncNowButton
              key={cloudId}
              cloudId={cloudId}
              onSyncFinished={onSyncFinished}
            />
          )}
        </Box>
      </ContentHeader>
      {cloudId ? (
        props.children
      ) : (
        <WarningPanel
          title="No cloud configured"
          message="Add a cloud under pf9.clouds in app-config.yaml to collect its inventory."
        />
      )}
    </Content>
  );
}
