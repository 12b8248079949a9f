-- GET one path with the API key (and a Profile-Key, for Ayrshare) from the environment.
local key = os.getenv("KEY")
wrk.headers["x-api-key"] = key
wrk.headers["Authorization"] = (os.getenv("SCHEME") or "Bearer") .. " " .. key
if os.getenv("PROFILE_KEY") then wrk.headers["Profile-Key"] = os.getenv("PROFILE_KEY") end
