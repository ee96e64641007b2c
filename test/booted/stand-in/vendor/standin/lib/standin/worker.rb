# Stand-in for `sidekiq -c N -q QUEUE...`: up only when its database and Redis answer.
require_relative "connections"

Standin.load_dotenv(Dir.pwd)
Standin.pg_check
Standin.redis_check
$stdout.sync = true
puts "stand-in sidekiq #{ARGV.join(' ')}: database and redis reachable, DB_POOL=#{ENV['DB_POOL']}"
stop = false
%w[TERM INT].each { |s| Signal.trap(s) { stop = true } }
until stop
  sleep 1
end
