/**
 * Glance v2 calls: the image listing of SPEC §1.2 (type 15) with `visibility=all` (OSC-6; retried
 * without it on a 400 from older Glance), following the relative `next` link until it is absent.
 */
import { OpenStackBadRequestError } from './errors';
import { Listing, confirmScope, listPaged } from './paging';
import { OpenStackSession } from './session';

export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  owner?: string;
  size?: number | null;
  [key: string]: unknown;
}

const enc = encodeURIComponent;

export class GlanceApi {
  constructor(private readonly session: OpenStackSession) {}

  /** 15 */
  async listImages(
    options: { pageSize?: number; query?: Record<string, string> } = {},
  ): Promise<
    Listing<GlanceImage> & { scopeConfirmed: boolean; visibilityAll: boolean }
  > {
    const list = (query: Record<string, string>) =>
      listPaged<GlanceImage>(this.session, 'image', '/v2/images', {
        key: 'images',
        style: 'next',
        pageSize: options.pageSize,
        query: { ...query, ...(options.query ?? {}) },
      });
    try {
      const listing = await list({ visibility: 'all' });
      return {
        ...(await confirmScope(this.session, listing)),
        visibilityAll: true,
      };
    } catch (e) {
      if (!(e instanceof OpenStackBadRequestError) || e.partial) throw e;
      const listing = await list({});
      return {
        ...(await confirmScope(this.session, listing)),
        visibilityAll: false,
      };
    }
  }

  async getImage(imageId: string): Promise<GlanceImage> {
    return this.session.json<GlanceImage>(
      'image',
      'GET',
      `/v2/images/${enc(imageId)}`,
    );
  }

  async deleteImage(imageId: string): Promise<void> {
    await this.session.request('image', 'DELETE', `/v2/images/${enc(imageId)}`);
  }
}
