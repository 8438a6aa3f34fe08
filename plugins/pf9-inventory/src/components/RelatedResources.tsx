import { Link, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { InventoryResource } from '@internal/plugin-pf9-common';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { errorMessage, typeLabel } from '../lib/format';
import {
  RelatedResource,
  entityRefOf,
  inventoryPathOf,
  relatedResourcesOf,
} from '../lib/related';
import { rootRouteRef } from '../routes';

interface CatalogMatch {
  kind: string;
  namespace: string;
  name: string;
  title?: string;
}

/** A name the resource's own derived fields give a related resource (its project's and domain's names). */
function knownName(
  resource: InventoryResource,
  related: RelatedResource,
): string | undefined {
  const derived = resource.derived ?? {};
  const name =
    (related.type === 'project' && related.id === resource.projectId
      ? derived.project_name
      : undefined) ??
    (related.type === 'domain' && related.id === resource.domainId
      ? derived.domain_name
      : undefined);
  return typeof name === 'string' && name ? name : undefined;
}

/**
 * The resources a resource names (attached volumes, networks, ports, servers, its project and domain, …). A
 * related resource that the catalog holds links to its entity page; any other to the PF9 inventory, with
 * its drawer open.
 */
export function RelatedResources(props: {
  cloudId: string;
  resource: InventoryResource;
}) {
  const { cloudId, resource } = props;
  const catalogApi = useApi(catalogApiRef);
  const entityLink = useEntityRefLink();
  const inventoryRoute = useRouteRef(rootRouteRef);
  const related = useMemo(() => relatedResourcesOf(resource), [resource]);

  const catalog = useAsync(async () => {
    const matches = new Map<string, CatalogMatch>();
    if (!related.length) return matches;
    const refs = related.map(r => entityRefOf(cloudId, r));
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    items.forEach((entity, index) => {
      if (!entity) return;
      matches.set(refs[index], {
        kind: entity.kind,
        namespace: entity.metadata.namespace ?? 'default',
        name: entity.metadata.name,
        title: entity.metadata.title,
      });
    });
    return matches;
  }, [catalogApi, cloudId, related]);

  if (!related.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No related resources.
      </Typography>
    );
  }
  if (catalog.loading) return <Progress />;

  return (
    <>
      {catalog.error && (
        <Typography variant="caption" color="error" component="p">
          Could not look the related resources up in the catalog:{' '}
          {errorMessage(catalog.error)}
        </Typography>
      )}
      <Table size="small" aria-label="Related resources">
        <TableHead>
          <TableRow>
            <TableCell>Type</TableCell>
            <TableCell>Resource</TableCell>
            <TableCell>Via</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {related.map(r => {
            const match = catalog.value?.get(entityRefOf(cloudId, r));
            const label = match?.title ?? knownName(resource, r) ?? r.id;
            const inventoryLink = inventoryRoute
              ? `${inventoryRoute()}/${inventoryPathOf(r)}`
              : undefined;
            let link: string | undefined = inventoryLink;
            if (match) link = entityLink(match);
            return (
              <TableRow key={`${r.type}/${r.id}`}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  {typeLabel(r.type)}
                </TableCell>
                <TableCell>
                  {link ? (
                    <Link
                      to={link}
                      title={
                        match ? 'Catalog entity' : 'Open in the PF9 inventory'
                      }
                    >
                      {label}
                    </Link>
                  ) : (
                    label
                  )}
                  {label !== r.id && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      <code>{r.id}</code>
                    </Typography>
                  )}
                </TableCell>
                <TableCell style={{ wordBreak: 'break-word' }}>
                  <code>{r.via.join(', ')}</code>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}
