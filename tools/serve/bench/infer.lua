-- wrk script: POSTs the file given after "--" to the URL, e.g.
--   wrk -t2 -c8 -d8s --latency -s infer.lua http://127.0.0.1:8000/v2/models/mlp/infer -- body.json
-- A second argument N sends the file as a binary-extension request whose first N bytes are JSON.
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.method = "POST"
  if args[2] then
    wrk.headers["Content-Type"] = "application/octet-stream"
    wrk.headers["Inference-Header-Content-Length"] = args[2]
  else
    wrk.headers["Content-Type"] = "application/json"
  end
  wrk.body = f:read("*a")
  f:close()
end

-- Counts answers that are not 200, which wrk's summary leaves out.
local failed = 0
function response(status)
  if status ~= 200 then failed = failed + 1 end
end
