-- wrk script for bench/bench_load.py: POST the same multipart CSV upload to
-- /api/v1/submissions/ on every request.
-- Arguments (after --): the file holding the multipart body, its boundary,
-- and an API token.
--   wrk -s bench/submit.lua http://127.0.0.1:PORT/api/v1/submissions/ -- BODY BOUNDARY TOKEN

function init(args)
   local file = assert(io.open(args[1], "rb"))
   wrk.body = file:read("*a")
   file:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. args[2]
   wrk.headers["Authorization"] = "Token " .. args[3]
   wrk.headers["Accept"] = "application/json"
end
