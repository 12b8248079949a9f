-- GET a random profile by id from ids.txt, with the API key from the environment.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local key = os.getenv("KEY")
local prefix = os.getenv("PREFIX") or "/v1/profiles/"
request = function()
  return wrk.format("GET", prefix .. ids[math.random(#ids)], { ["x-api-key"] = key, ["Authorization"] = "Bearer " .. key })
end
