import axios from 'axios';
import { server } from '../helpers/harness-env';

describe('health', () => {
  test('GET /health answers 200 with ready: true', async () => {
    const res = await axios.get(`${server().baseUrl}/health`, { validateStatus: () => true });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ status: 'healthy', ready: true });
  });
});
