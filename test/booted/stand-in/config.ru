# Stand-in for Mastodon's web app (see README.md): /health is 200 only when PostgreSQL and
# Redis both answer; /api/v1/instance reports the release.
require_relative "vendor/standin/lib/standin/connections"

ROOT = __dir__
Standin.load_dotenv(Dir.pwd)
VERSION = File.read(File.join(ROOT, "STANDIN_VERSION")).strip
FAILS = File.exist?(File.join(ROOT, "HEALTH_FAILS"))

run lambda { |env|
  case env["PATH_INFO"]
  when "/health"
    next [500, { "content-type" => "text/plain" }, ["release #{VERSION} is broken"]] if FAILS
    begin
      Standin.pg_check
      Standin.redis_check
      [200, { "content-type" => "text/plain" }, ["OK"]]
    rescue StandardError => e
      [503, { "content-type" => "text/plain" }, ["#{e.class}: #{e.message}"]]
    end
  when "/api/v1/instance"
    [200, { "content-type" => "application/json" }, [%({"version":"#{VERSION}","pid":#{Process.pid}})]]
  else
    [404, { "content-type" => "text/plain" }, ["not found"]]
  end
}
