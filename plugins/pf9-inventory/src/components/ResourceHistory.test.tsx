import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { pf9ApiRef } from '../api';
import { version } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { ResourceHistory } from './ResourceHistory';

describe('ResourceHistory', () => {
  it('shows the selected version as a diff of its changed fields, old → new', async () => {
    const v1 = version(1, 'discovered', { name: 'web', status: 'ACTIVE' }, [
      'name',
      'status',
    ]);
    const v2 = version(2, 'updated', { name: 'web', status: 'SHUTOFF' }, [
      'status',
    ]);
    const client = mockPf9Client({
      getHistory: jest.fn(async () => ({
        items: [v2, v1],
        page: 1,
        pageSize: 20,
        total: 2,
      })),
    });
    await renderInTestApp(
      <ResourceHistory type="server" id="srv-1" cloudId="demo" />,
      { apis: [[pf9ApiRef, client]] },
    );

    expect(await screen.findByText('v2 · updated')).toBeInTheDocument();
    expect(screen.getByTestId('old-status')).toHaveTextContent('ACTIVE');
    expect(screen.getByTestId('new-status')).toHaveTextContent('SHUTOFF');
    expect(screen.queryByTestId('old-name')).not.toBeInTheDocument();

    fireEvent.click(screen.getByText('v1 · discovered'));
    expect(
      await screen.findByText('First sighting: every field is new.'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('old-name')).toHaveTextContent('—');
    expect(screen.getByTestId('new-name')).toHaveTextContent('web');
  });

  it('fetches the previous version on its own when it is on the next page', async () => {
    const v3 = version(3, 'updated', { name: 'new-name' }, ['name']);
    const v2 = version(2, 'updated', { name: 'old-name' }, ['name']);
    const getHistory = jest.fn(
      async (_type: string, _id: string, query: { pageSize?: number }) =>
        query.pageSize === 1
          ? { items: [v2], page: 2, pageSize: 1, total: 3 }
          : { items: [v3], page: 1, pageSize: 20, total: 3 },
    );
    const client = mockPf9Client({ getHistory });
    await renderInTestApp(<ResourceHistory type="server" id="srv-1" />, {
      apis: [[pf9ApiRef, client]],
    });

    expect(await screen.findByTestId('old-name')).toHaveTextContent('old-name');
    expect(screen.getByTestId('new-name')).toHaveTextContent('new-name');
    expect(getHistory).toHaveBeenCalledWith('server', 'srv-1', {
      cloudId: undefined,
      page: 2,
      pageSize: 1,
    });
  });
});
