-- Wrong passwords for one account, as fast as the server answers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"victim@example.com","password":"Wrong1234"}'
