import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { InventoryResourceQuery } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../api';
import { server } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { ResourceFamilyTab } from './ResourceFamilyTab';

/** A server-side listing of 120 servers: returns only the requested page. */
function pagedServers() {
  return jest.fn(async (_type: string, query: InventoryResourceQuery) => {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const all = Array.from({ length: query.q ? 3 : 120 }, (_, i) =>
      server(i + 1),
    );
    return {
      items: all.slice((page - 1) * pageSize, page * pageSize),
      page,
      pageSize,
      total: all.length,
    };
  });
}

describe('ResourceFamilyTab', () => {
  it('asks the server for one page at a time, and for page 2 when paging', async () => {
    const listResources = pagedServers();
    const client = mockPf9Client({ listResources });
    await renderInTestApp(
      <ResourceFamilyTab family="compute" cloudId="demo" />,
      { apis: [[pf9ApiRef, client]] },
    );

    expect(await screen.findByText('web-1')).toBeInTheDocument();
    expect(listResources).toHaveBeenCalledTimes(1);
    expect(listResources).toHaveBeenLastCalledWith(
      'server',
      expect.objectContaining({ cloudId: 'demo', page: 1, pageSize: 50 }),
    );
    expect(screen.queryByText('web-51')).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: /next page/i }));

    expect(await screen.findByText('web-51')).toBeInTheDocument();
    expect(listResources).toHaveBeenLastCalledWith(
      'server',
      expect.objectContaining({ cloudId: 'demo', page: 2, pageSize: 50 }),
    );
    expect(screen.queryByText('web-1')).not.toBeInTheDocument();
  });

  it('sends the search and the project filter to the server and starts again at page 1', async () => {
    const listResources = pagedServers();
    const client = mockPf9Client({ listResources });
    await renderInTestApp(
      <ResourceFamilyTab family="compute" cloudId="demo" />,
      { apis: [[pf9ApiRef, client]] },
    );
    await screen.findByText('web-1');
    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    await screen.findByText('web-51');

    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'web-1' },
    });
    fireEvent.change(screen.getByLabelText('Project ID'), {
      target: { value: 'p1' },
    });

    await waitFor(() =>
      expect(listResources).toHaveBeenLastCalledWith(
        'server',
        expect.objectContaining({
          cloudId: 'demo',
          q: 'web-1',
          projectId: 'p1',
          page: 1,
        }),
      ),
    );
    expect(await screen.findByText('web-3')).toBeInTheDocument();
  });

  it('opens a drawer with the resource id and its fields on row click', async () => {
    const client = mockPf9Client({
      listResources: pagedServers(),
      getResource: jest.fn(async () => ({
        ...server(7),
        raw: { id: 'srv-0007' },
      })),
    });
    await renderInTestApp(
      <ResourceFamilyTab family="compute" cloudId="demo" />,
      { apis: [[pf9ApiRef, client]] },
    );
    fireEvent.click(await screen.findByText('web-7'));

    expect(await screen.findByTestId('resource-id')).toHaveTextContent(
      'srv-0007',
    );
    expect(client.getResource).toHaveBeenCalledWith('server', 'srv-0007', {
      cloudId: 'demo',
    });
    expect(screen.getByText('flavor_name')).toBeInTheDocument();
  });

  it('opens the type and drawer a deep link names (?type=&id=)', async () => {
    const client = mockPf9Client({
      listResources: jest.fn(async () => ({
        items: [],
        page: 1,
        pageSize: 50,
        total: 0,
      })),
      getResource: jest.fn(async () => ({
        ...server(9),
        type: 'volume_snapshot',
        id: 'snap-9',
        raw: null,
      })),
    });
    await renderInTestApp(
      <ResourceFamilyTab family="storage" cloudId="demo" />,
      {
        apis: [[pf9ApiRef, client]],
        initialRouteEntries: ['/?type=volume_snapshot&id=snap-9'],
      },
    );
    expect(await screen.findByTestId('resource-id')).toHaveTextContent(
      'snap-9',
    );
    expect(client.getResource).toHaveBeenCalledWith(
      'volume_snapshot',
      'snap-9',
      {
        cloudId: 'demo',
      },
    );
    expect(client.listResources).toHaveBeenCalledWith(
      'volume_snapshot',
      expect.objectContaining({ cloudId: 'demo' }),
    );
  });

  it('shows a server error instead of an empty table', async () => {
    const client = mockPf9Client({
      listResources: jest.fn(async () => {
        throw new Error('Invalid query: cloudId: unknown cloud');
      }),
    });
    await renderInTestApp(
      <ResourceFamilyTab family="storage" cloudId="nope" />,
      { apis: [[pf9ApiRef, client]] },
    );
    expect(
      (await screen.findAllByText(/unknown cloud/)).length,
    ).toBeGreaterThan(0);
    expect(client.listResources).toHaveBeenCalledWith(
      'volume',
      expect.objectContaining({ cloudId: 'nope' }),
    );
  });
});
