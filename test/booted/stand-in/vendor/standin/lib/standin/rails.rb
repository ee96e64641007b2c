# Stand-in for `rails db:prepare|db:migrate|assets:precompile`. The migrations create the
# tables upstream's streaming server reads (oauth_access_tokens, users, accounts, user_roles)
# and record each release's version, so an upgrade's migrations are observable.
require_relative "connections"

task = ARGV.first
root = Dir.pwd
version = File.read(File.join(root, "STANDIN_VERSION")).strip
case task
when "assets:precompile"
  Dir.mkdir(File.join(root, "public")) unless Dir.exist?(File.join(root, "public"))
  File.write(File.join(root, "public", "standin-assets.txt"), "#{version}\n")
when "db:prepare", "db:migrate"
  Standin.load_dotenv(root)
  conn = Standin.pg_connect
  conn.exec(<<~SQL)
    CREATE TABLE IF NOT EXISTS user_roles (id bigserial PRIMARY KEY, permissions bigint NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS accounts (id bigserial PRIMARY KEY, username text NOT NULL, suspended_at timestamp);
    CREATE TABLE IF NOT EXISTS users (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, email text,
      role_id bigint REFERENCES user_roles, chosen_languages varchar[], disabled boolean NOT NULL DEFAULT false);
    CREATE TABLE IF NOT EXISTS oauth_access_tokens (id bigserial PRIMARY KEY, token text NOT NULL UNIQUE,
      resource_owner_id bigint REFERENCES users, scopes text, revoked_at timestamp);
    CREATE TABLE IF NOT EXISTS standin_migrations (version text NOT NULL, phase text NOT NULL, at timestamptz NOT NULL DEFAULT now());
  SQL
  phase = ENV["SKIP_POST_DEPLOYMENT_MIGRATIONS"] == "true" ? "pre" : "post"
  conn.exec_params("INSERT INTO standin_migrations (version, phase) VALUES ($1, $2)", [version, phase])
  puts "stand-in #{task} #{version} (#{phase}) on #{conn.host}:#{conn.port}"
  conn.close
else
  abort "stand-in rails: unknown task #{task.inspect}"
end
