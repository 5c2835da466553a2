// json-server middleware for the http provider's tests: the server stamps a field of its own
// on every object created, as real APIs do (createdAt), which the goal never sets.
const { bodyParser } = require("json-server");

module.exports = (req, res, next) => {
  if (req.method !== "POST") return next();
  bodyParser[0](req, res, (err) => {
    if (err) return next(err);
    if (req.body && typeof req.body === "object") req.body.createdAt = "2024-05-01T00:00:00.000Z";
    next();
  });
};
