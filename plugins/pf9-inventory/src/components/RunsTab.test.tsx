import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { pf9ApiRef } from '../api';
import { run } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { RunsTab } from './RunsTab';

describe('RunsTab', () => {
  it('lists runs from the server and shows the per-type outcomes of a selected run', async () => {
    const client = mockPf9Client({
      listRuns: jest.fn(async () => ({
        items: [run()],
        page: 1,
        pageSize: 20,
        total: 1,
      })),
      getRun: jest.fn(async () => run()),
    });
    await renderInTestApp(<RunsTab cloudId="demo" />, {
      apis: [[pf9ApiRef, client]],
    });

    expect(await screen.findByText('1 complete, 1 failed')).toBeInTheDocument();
    expect(screen.getByText('1 min 30 s')).toBeInTheDocument();
    expect(client.listRuns).toHaveBeenCalledWith({
      cloudId: 'demo',
      status: undefined,
      page: 1,
      pageSize: 20,
    });

    fireEvent.click(screen.getByText('user:development/guest'));
    const outcomes = (
      await screen.findByText('Run run-1: per-type outcomes')
    ).closest('div[class*="MuiPaper"]') as HTMLElement;
    expect(within(outcomes).getByText('Project quota')).toBeInTheDocument();
    expect(
      within(outcomes).getByText('quota service unavailable'),
    ).toBeInTheDocument();
    expect(within(outcomes).getByText('200')).toBeInTheDocument();
  });
});
