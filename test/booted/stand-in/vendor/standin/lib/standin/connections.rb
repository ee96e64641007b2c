# What a Mastodon process needs before it serves: its environment (the unit's, then the
# release's .env.production as dotenv reads it: unset keys only, and an unreadable file is fatal),
# PostgreSQL through libpq with the rendered DB_* and PGSSLROOTCERT, Redis from REDIS_URL with
# TLS verified against the system store (as redis-client does for rediss://), and the search
# cluster from ES_* over HTTPS with its user, verified against the system store (as the
# Elasticsearch client Mastodon uses does).
require "json"
require "net/http"
require "openssl"
require "pg"
require "socket"
require "uri"

module Standin
  module_function

  def load_dotenv(dir)
    File.read(File.join(dir, ".env.production")).each_line do |line|
      next if line.strip.empty? || line.start_with?("#")
      key, value = line.chomp.split("=", 2)
      ENV[key] ||= value.to_s.sub(/\A"(.*)"\z/, '\1')
    end
  end

  def pg_connect
    PG.connect(host: ENV.fetch("DB_HOST"), port: ENV.fetch("DB_PORT", "5432"), dbname: ENV.fetch("DB_NAME"),
               user: ENV.fetch("DB_USER"), password: ENV["DB_PASS"], sslmode: ENV.fetch("DB_SSLMODE", "prefer"),
               connect_timeout: 5, application_name: "")
  end

  def pg_check
    conn = pg_connect
    conn.exec("SELECT 1").getvalue(0, 0)
  ensure
    conn&.close
  end

  def redis_command(*args)
    uri = URI.parse(ENV.fetch("REDIS_URL"))
    sock = Socket.tcp(uri.host, uri.port || 6379, connect_timeout: 5)
    if uri.scheme == "rediss"
      ctx = OpenSSL::SSL::SSLContext.new
      ctx.set_params(verify_mode: OpenSSL::SSL::VERIFY_PEER)
      sock = OpenSSL::SSL::SSLSocket.new(sock, ctx)
      sock.hostname = uri.host
      sock.sync_close = true
      sock.connect
      sock.post_connection_check(uri.host)
    end
    password = uri.password && URI.decode_www_form_component(uri.password)
    user = uri.user.to_s.empty? ? nil : uri.user
    if password
      reply = call(sock, *(user ? ["AUTH", user, password] : ["AUTH", password]))
      raise "redis AUTH: #{reply}" unless reply == "+OK"
    end
    call(sock, *args)
  ensure
    sock&.close
  end

  def call(sock, *args)
    sock.write("*#{args.size}\r\n" + args.map { |a| "$#{a.to_s.bytesize}\r\n#{a}\r\n" }.join)
    sock.gets.to_s.chomp
  end

  def redis_check
    reply = redis_command("PING")
    raise "redis PING: #{reply}" unless reply == "+PONG"
  end

  # The cluster's health as `tootctl search deploy` first asks it: refused unless green or yellow.
  def search_check
    host = ENV.fetch("ES_HOST")
    uri = URI.parse(host.include?("://") ? host : "http://#{host}")
    http = Net::HTTP.new(uri.host, Integer(ENV.fetch("ES_PORT", "9200")))
    http.use_ssl = uri.scheme == "https"
    http.verify_mode = OpenSSL::SSL::VERIFY_PEER
    http.open_timeout = http.read_timeout = 5
    req = Net::HTTP::Get.new("/_cluster/health")
    req.basic_auth(ENV["ES_USER"], ENV["ES_PASS"]) if ENV["ES_USER"]
    res = http.request(req)
    raise "search cluster: HTTP #{res.code} #{res.body}" unless res.is_a?(Net::HTTPSuccess)
    status = JSON.parse(res.body).fetch("status")
    raise "search cluster is #{status}" unless %w[green yellow].include?(status)
    status
  end
end
