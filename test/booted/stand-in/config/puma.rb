# As Mastodon's config/puma.rb: threads, workers and the bind from the unit's environment,
# preload_app! (so a USR1 is a hot restart in the old directory, which the release script avoids).
threads_count = ENV.fetch("MAX_THREADS", 5).to_i
threads threads_count, threads_count
bind "tcp://#{ENV.fetch('BIND', '127.0.0.1')}:#{ENV.fetch('PORT', 3000)}"
environment ENV.fetch("RAILS_ENV", "development")
workers ENV.fetch("WEB_CONCURRENCY", 2).to_i
preload_app!
