// PLACEHOLDER: being written by the lead engineer; do not edit.
export const handler = async (_event: unknown) => ({ statusCode: 501, body: '' });
