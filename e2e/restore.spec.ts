import { APIRequestContext, expect, Page, test } from '@playwright/test';

/** The simulated demo cloud of the embedded default (app-config.yaml, pf9.clouds[demo]). */
const DEMO_CLOUD = 'http://127.0.0.1:5050';
const PF9_API = 'http://localhost:7007/api/pf9';

interface Candidate {
  serverId: string;
  serverName: string;
  snapshotId: string;
  snapshotName: string;
}

/** An admin token of the demo cloud and the admin project's id, straight from its Keystone. */
async function demoCloudSession(request: APIRequestContext) {
  const response = await request.post(`${DEMO_CLOUD}/v3/auth/tokens`, {
    data: {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: 'admin',
              password: 'demo-admin',
              domain: { name: 'Default' },
            },
          },
        },
        scope: {
          project: { name: 'admin', domain: { name: 'Default' } },
        },
      },
    },
  });
  expect(response.ok()).toBe(true);
  const token = response.headers()['x-subject-token'];
  const projectId = (await response.json()).token.project.id as string;
  const get = async (path: string) => {
    const r = await request.get(`${DEMO_CLOUD}${path}`, {
      headers: { 'X-Auth-Token': token },
    });
    expect(r.ok(), `GET ${path}`).toBe(true);
    return r.json();
  };
  return { get, projectId };
}

/**
 * ACTIVE volume-booted servers whose only volume is their boot volume, each with an available snapshot of
 * that volume: read from the demo cloud's own APIs, so no inventory sync is needed.
 */
async function volumeBootedCandidates(
  request: APIRequestContext,
): Promise<Candidate[]> {
  const { get, projectId } = await demoCloudSession(request);
  const cinder = `/volume/v3/${projectId}`;
  const { snapshots } = await get(
    `${cinder}/snapshots/detail?all_tenants=1&status=available&limit=1000`,
  );
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const snapshot of snapshots) {
    if (candidates.length >= 8) break;
    const { volume } = await get(`${cinder}/volumes/${snapshot.volume_id}`);
    if (volume.bootable !== 'true' || volume.attachments.length !== 1) continue;
    const serverId = volume.attachments[0].server_id as string;
    if (seen.has(serverId)) continue;
    seen.add(serverId);
    const { server } = await get(`/compute/v2.1/servers/${serverId}`);
    const volumes = server['os-extended-volumes:volumes_attached'] ?? [];
    const volumeBooted = !server.image || !server.image.id;
    if (server.status !== 'ACTIVE' || !volumeBooted || volumes.length !== 1) {
      continue;
    }
    candidates.push({
      serverId,
      serverName: server.name,
      snapshotId: snapshot.id,
      snapshotName: snapshot.name ?? snapshot.id,
    });
  }
  return candidates;
}

/** The first candidate the pf9 planner finds eligible (quota, locks and active jobs vary in the demo). */
async function eligibleCandidate(
  request: APIRequestContext,
  candidates: Candidate[],
): Promise<Candidate> {
  const { backstageIdentity } = await (
    await request.get('http://localhost:7007/api/auth/guest/refresh', {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    })
  ).json();
  const blocked: string[] = [];
  for (const candidate of candidates) {
    const response = await request.post(`${PF9_API}/restore/plans`, {
      headers: { Authorization: `Bearer ${backstageIdentity.token}` },
      data: {
        cloudId: 'demo',
        serverId: candidate.serverId,
        restorePointId: candidate.snapshotId,
        mode: 'side_by_side',
        ipStrategy: 'NEW_IPS',
      },
    });
    const body = await response.json();
    if (response.ok() && body.eligible) return candidate;
    blocked.push(`${candidate.serverId}: ${JSON.stringify(body)}`);
  }
  throw new Error(`no eligible demo server:\n${blocked.join('\n')}`);
}

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'PF9 Ops' })).toBeVisible({
    timeout: 60_000,
  });
}

test('a guest restores a volume-booted demo server side by side with the "Restore a VM" template', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(600_000);
  const candidates = await volumeBootedCandidates(request);
  expect(candidates.length).toBeGreaterThan(0);
  const target = await eligibleCandidate(request, candidates);

  await signIn(page);
  // the link "Restore this VM" on a server's page opens the template this way
  const formData = encodeURIComponent(
    JSON.stringify({ cloudId: 'demo', serverId: target.serverId }),
  );
  // right after start the catalog may not have read templates/restore-vm yet
  await expect(async () => {
    await page.goto(
      `/create/templates/default/restore-vm?formData=${formData}`,
    );
    await expect(
      page.getByText('Server and restore point').first(),
    ).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 240_000, intervals: [5_000, 10_000] });

  // the restore-point picker lists the server's points (live from Cinder and Glance)
  await expect(page.getByText(/volume-booted/)).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('button', { name: /Restore point/ }).click();
  await page
    .getByRole('option', { name: new RegExp(target.snapshotName) })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();

  // side by side with new addresses are the defaults
  await expect(page.getByLabel('New addresses (NEW_IPS)')).toBeChecked();
  await expect(page.getByText('Neutron assigns new addresses.')).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  // the output links to the job on the Restore page (the action's unit tests cover the streamed log lines;
  // the task page's log view is virtualised, so early lines are not in the DOM)
  const jobLink = page.getByRole('link', { name: 'Open the restore job' });
  const taskFailed = page
    .getByText(
      /Restore job \S+ ended (?!SUCCEEDED)[A-Z_]+|The restore of .+ is blocked/,
    )
    .first();
  await expect(jobLink.or(taskFailed).first()).toBeVisible({
    timeout: 420_000,
  });
  if (await taskFailed.isVisible()) {
    throw new Error(`the restore task failed: ${await taskFailed.innerText()}`);
  }
  await page.screenshot({
    path: testInfo.outputPath('restore-task.png'),
    fullPage: true,
  });

  await jobLink.click();
  await expect(page).toHaveURL(/\/pf9-restore\/jobs\/[^/]+$/);
  const jobId = page.url().split('/').pop()!;
  await expect(page.getByText(`Restore job ${jobId}`)).toBeVisible();
  await expect(page.getByTestId('restore-progress')).toHaveText(
    /^100% · (\d+) of \1 steps done$/,
  );
  await expect(page.getByText('SUCCEEDED').first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('restore-job.png'),
    fullPage: true,
  });

  // and the job is listed, completed, on the Restore page
  await page.goto('/pf9-restore');
  // the audit table below lists the job's events too; the jobs table comes first
  const row = page.getByRole('row', { name: new RegExp(jobId) }).first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row.getByText('SUCCEEDED')).toBeVisible();
  await expect(row.getByText(target.serverName)).toBeVisible();
});
