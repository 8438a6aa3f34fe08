import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { pf9ApiRef } from '../pf9Inventory';
import type { RestorePointList } from '@internal/plugin-pf9-common';
import { mockPf9Client } from '../testUtils/fixtures';
import {
  IpStrategyPicker,
  IpStrategyValue,
  validateIpStrategy,
} from './IpStrategyPicker';
import { RestorePointPicker } from './RestorePointPicker';

/** The props the scaffolder passes a field; the form's data arrives in formContext.formData. */
function fieldProps<T>(
  formData: T | undefined,
  formValues: Record<string, unknown>,
  title: string,
) {
  return {
    formData,
    onChange: jest.fn(),
    rawErrors: [],
    required: true,
    schema: { title },
    uiSchema: {},
    formContext: { formData: formValues },
    idSchema: { $id: 'root_field' },
  } as any;
}

const points: RestorePointList = {
  serverId: 'srv-1',
  serverName: 'web-1',
  bootMode: 'image',
  fromHistory: false,
  items: [
    {
      id: 'img-1',
      kind: 'server_image',
      name: 'web-1-nightly',
      volumeId: null,
      managed: true,
      policy: 'nightly',
      createdAt: '2026-11-26T08:00:00.000Z',
      sizeGb: 20,
      status: 'available',
    },
    {
      id: 'snap-1',
      kind: 'volume_snapshot',
      name: 'data-daily',
      volumeId: 'vol-2',
      managed: false,
      policy: null,
      createdAt: '2026-11-25T08:00:00.000Z',
      sizeGb: 50,
      status: 'available',
    },
  ],
};

describe('RestorePointPicker', () => {
  it('lists the restore points of the server named in the form and refuses unsupported ones', async () => {
    const client = mockPf9Client({
      listRestorePoints: jest.fn(async () => points),
    });
    const props = fieldProps<string>(
      undefined,
      { serverId: 'srv-1', cloudId: 'demo' },
      'Restore point',
    );
    await renderInTestApp(<RestorePointPicker {...props} />, {
      apis: [[pf9ApiRef, client]],
    });

    expect(await screen.findByText('web-1: image-booted')).toBeInTheDocument();
    expect(client.listRestorePoints).toHaveBeenCalledWith('srv-1', {
      cloudId: 'demo',
    });
    fireEvent.mouseDown(screen.getByLabelText('Restore point'));
    const listbox = await screen.findByRole('listbox');
    const snapshot = within(listbox).getByText(/data-daily/);
    expect(snapshot).toHaveTextContent(
      'image-booted server: choose a server image snapshot',
    );
    expect(snapshot.closest('li')).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(within(listbox).getByText(/web-1-nightly/));
    expect(props.onChange).toHaveBeenCalledWith('img-1');
  });

  it('asks for the server first', async () => {
    const client = mockPf9Client();
    const props = fieldProps<string>(undefined, {}, 'Restore point');
    await renderInTestApp(<RestorePointPicker {...props} />, {
      apis: [[pf9ApiRef, client]],
    });
    expect(
      await screen.findByText('Enter the server ID first.'),
    ).toBeInTheDocument();
    expect(client.listRestorePoints).not.toHaveBeenCalled();
  });
});

describe('IpStrategyPicker', () => {
  it('explains the strategy for the chosen mode and edits manual addresses', async () => {
    const props = fieldProps<IpStrategyValue>(
      { strategy: 'SAME_IPS_OR_FAIL' },
      { mode: 'side_by_side' },
      'IP addresses',
    );
    const { rerender } = await renderInTestApp(<IpStrategyPicker {...props} />);
    expect(
      screen.getByText(/otherwise the plan is blocked \(SAME_IP_IMPOSSIBLE\)/),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByLabelText('Addresses I choose (MANUAL_IP)'));
    expect(props.onChange).toHaveBeenLastCalledWith({
      strategy: 'MANUAL_IP',
      manualIps: {},
    });

    rerender(
      <IpStrategyPicker
        {...props}
        formData={{ strategy: 'MANUAL_IP', manualIps: { 'net-1': '' } }}
      />,
    );
    fireEvent.change(screen.getByLabelText('IP address'), {
      target: { value: '10.0.0.25' },
    });
    expect(props.onChange).toHaveBeenLastCalledWith({
      strategy: 'MANUAL_IP',
      manualIps: { 'net-1': '10.0.0.25' },
    });
  });

  it('validates manual addresses', () => {
    const errors: string[] = [];
    const validation = { addError: (m: string) => errors.push(m) } as any;
    validateIpStrategy(
      { strategy: 'MANUAL_IP', manualIps: { 'net-1': '10.0.0.300' } },
      validation,
      {} as any,
    );
    validateIpStrategy({ strategy: 'MANUAL_IP' }, validation, {} as any);
    validateIpStrategy({ strategy: 'NEW_IPS' }, validation, {} as any);
    expect(errors).toEqual([
      '"10.0.0.300" is not an IP address',
      'Give at least one network and its address',
    ]);
  });
});
