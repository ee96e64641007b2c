Gem::Specification.new do |s|
  s.name = "mastodon-standin"
  s.version = "1.0.0"
  s.summary = "Stand-ins for puma, sidekiq and rails in the booted-host tests"
  s.authors = ["mastodon-stack"]
  s.license = "AGPL-3.0-only"
  s.files = Dir["exe/*", "lib/**/*.rb"]
  s.bindir = "exe"
  s.executables = %w[puma sidekiq rails]
end
