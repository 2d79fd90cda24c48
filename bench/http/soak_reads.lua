-- wrk script for bench/http/soak.sh: each request takes the next path of SOAK_READS (a
-- comma-separated list from the environment), so the soak mixes every read endpoint.
local paths = {}
for p in string.gmatch(os.getenv("SOAK_READS") or "/api/board", "[^,]+") do
  paths[#paths + 1] = p
end
local i = 0

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
