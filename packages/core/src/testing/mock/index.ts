export { MockModel, MockExhaustedError, type MockReply, type MockCall, type MockModelSettings } from './mock-model.js';
