import { expect, test } from '@playwright/test';

test('a guest signs in and opens the PF9 page from the sidebar', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  await page.getByRole('link', { name: 'PF9 Ops' }).click();
  await expect(page).toHaveURL(/\/pf9$/);
  // Both cards are filled from the pf9 backend: /health and /access/me.
  await expect(page.getByText('sqlite')).toBeVisible();
  await expect(page.getByText('demo', { exact: true })).toBeVisible();
  await expect(page.getByText('user:development/guest')).toBeVisible();
  await expect(page.getByText('superadmin', { exact: true })).toBeVisible();

  await page.screenshot({
    path: testInfo.outputPath('pf9-page.png'),
    fullPage: true,
  });
});
