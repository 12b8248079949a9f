-- POST a new profile each request (durable creates).
local key = os.getenv("KEY")
local n = 0
request = function()
  n = n + 1
  local body = '{"name":"bench ' .. n .. '","metadata":{"run":"' .. math.random(1e9) .. '"}}'
  return wrk.format("POST", "/v1/profiles", { ["x-api-key"] = key, ["Content-Type"] = "application/json" }, body)
end
