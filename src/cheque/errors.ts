// Signature errors are shared by every signed type; they live with the crypto they describe.
export { InvalidSignatureError, InvalidSignerError } from "../crypto/errors.js";
