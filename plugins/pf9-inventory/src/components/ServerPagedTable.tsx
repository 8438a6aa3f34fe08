import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import type { Pf9Page } from '@internal/plugin-pf9-common';
import { useState } from 'react';

export interface PageRequest {
  /** 1-based, as the pf9 API counts */
  page: number;
  pageSize: number;
  /** the column field chosen for sorting, when the table sorts */
  orderBy?: string;
  order?: 'asc' | 'desc';
}

/**
 * A table that only ever holds one page: every page, sort and filter is fetched from the pf9 API, and a
 * failed fetch shows the error above an empty page. A new `resetKey` (e.g. changed filters) starts again
 * at page 1.
 */
export function ServerPagedTable<T extends object>(props: {
  title: string;
  columns: TableColumn<T>[];
  resetKey: string;
  load: (request: PageRequest) => Promise<Pf9Page<T>>;
  pageSize: number;
  pageSizeOptions?: number[];
  sorting?: boolean;
  emptyMessage: string;
  onRowClick?: (row: T) => void;
}) {
  const [error, setError] = useState<Error>();
  const { onRowClick } = props;
  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <Table<T>
        key={props.resetKey}
        title={props.title}
        columns={props.columns}
        options={{
          search: false,
          sorting: props.sorting ?? false,
          paging: true,
          pageSize: props.pageSize,
          pageSizeOptions: props.pageSizeOptions ?? [20, 50, 100],
          emptyRowsWhenPaging: false,
          padding: 'dense',
          debounceInterval: 0,
        }}
        onRowClick={
          onRowClick ? (_event, row) => row && onRowClick(row) : undefined
        }
        data={async query => {
          const field = query.orderBy?.field as string | undefined;
          try {
            const result = await props.load({
              page: query.page + 1,
              pageSize: query.pageSize,
              orderBy: field,
              order: field ? query.orderDirection || 'asc' : undefined,
            });
            setError(undefined);
            return {
              data: result.items,
              page: result.page - 1,
              totalCount: result.total,
            };
          } catch (e) {
            setError(e as Error);
            return { data: [], page: 0, totalCount: 0 };
          }
        }}
        localization={{
          body: {
            emptyDataSourceMessage: error
              ? 'Could not load this page (see the error above).'
              : props.emptyMessage,
          },
        }}
      />
    </>
  );
}
