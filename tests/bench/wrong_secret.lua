-- Wrong secrets for a real key id (from KEY), each one new, as fast as the server answers.
local id = string.sub(os.getenv("KEY"), 4, 15)
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
request = function()
  local s = {}
  for i = 1, 32 do
    local n = math.random(#chars)
    s[i] = string.sub(chars, n, n)
  end
  return wrk.format("GET", "/v1/profiles?limit=1", { ["Authorization"] = "Bearer hp_" .. id .. table.concat(s) })
end
