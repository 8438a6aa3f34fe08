import { useApi } from '@backstage/frontend-plugin-api';
import type {
  InventoryType,
  InventoryVersion,
} from '@internal/plugin-pf9-common';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';

/**
 * The version before `items[index]` of one history page (newest first): the next item of the page, or,
 * for the last item of a page, the one version at the same position fetched on its own.
 */
export function usePreviousVersion(options: {
  type: InventoryType;
  id: string;
  cloudId?: string;
  items: InventoryVersion[];
  index: number;
  page: number;
  pageSize: number;
  total: number;
}): { previous?: InventoryVersion; loading: boolean; error?: Error } {
  const client = useApi(pf9ApiRef);
  const { type, id, cloudId, items, index, page, pageSize, total } = options;
  const onPage = items[index + 1];
  /** 1-based position of the previous version in the whole newest-first list */
  const position = (page - 1) * pageSize + index + 2;
  const needsFetch = !onPage && index >= 0 && position <= total;
  const key = `${type}/${id}/${cloudId}/${position}`;
  const { value, loading, error } = useAsync(async () => {
    if (!needsFetch) return undefined;
    const result = await client.getHistory(type, id, {
      cloudId,
      page: position,
      pageSize: 1,
    });
    return { key, version: result.items[0] };
  }, [client, key, needsFetch]);
  if (onPage) return { previous: onPage, loading: false };
  if (!needsFetch) return { loading: false };
  // until the fetch for this position has answered (useAsync reports loading one render late)
  const current = value?.key === key;
  return {
    previous: current ? value?.version : undefined,
    loading: loading || (!current && !error),
    error,
  };
}
