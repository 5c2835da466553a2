// json-server middleware for the http provider's tests. The server stamps a field of its own
// on every object created, as real APIs do (createdAt), which the goal never sets. With
// LXM_TEST_REQUIRE_AUTH set, it also wants `Authorization: Bearer <that value>` on every
// request, and answers 401 echoing the header it got, as careless APIs do.
const { bodyParser } = require("json-server");

const required = process.env.LXM_TEST_REQUIRE_AUTH;

module.exports = (req, res, next) => {
  if (required && req.path !== "/db" && req.headers.authorization !== `Bearer ${required}`) {
    res.status(401).json({ error: "unauthorized", got: req.headers.authorization ?? null });
    return;
  }
  if (req.method !== "POST") return next();
  bodyParser[0](req, res, (err) => {
    if (err) return next(err);
    if (req.body && typeof req.body === "object") req.body.createdAt = "2024-05-01T00:00:00.000Z";
    next();
  });
};
