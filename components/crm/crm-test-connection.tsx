import { useMutation } from '@tanstack/react-query';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { MutationStatus } from '../ui/mutation-status';

/** "Test connection" (R8): asks the CRM's `GET /me` who this connection signs in as, and says so. */
export function CrmTestConnection() {
  const test = useMutation({ mutationFn: () => sendToBackground('testCrmConnection', {}) });
  return (
    <div className="button-row">
      <Button variant="secondary" pending={test.isPending} onClick={() => test.mutate()}>
        Test connection
      </Button>
      <MutationStatus
        mutation={test}
        pending="Asking the CRM who you are…"
        success={test.data ? `The CRM at ${test.data.baseUrl} says you are ${test.data.name} (${test.data.email}).` : undefined}
      />
    </div>
  );
}
