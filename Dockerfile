# trackgen worker image. Build stage compiles the binary; the runtime stage is Debian slim with
# only the shared libraries, the migrations and an unprivileged user. It runs the supervisor with
# two workers (`serve --workers 2`: FastCGI on TCP ports 9000 and 9001, one per worker, SIGHUP
# replaces them, a dead worker is restarted); nginx runs in front of it (deploy/docker-compose.yml).
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      libfcgi-dev libpq-dev libjansson-dev libssl-dev libqrencode-dev libpng-dev \
      libarchive-dev libvips-dev libcsv-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY sql ./sql
COPY tests/unit ./tests/unit
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRACKGEN_TESTS=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/trackgen

FROM debian:12-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libfcgi0ldbl libpq5 libjansson4 libssl3 libqrencode4 libpng16-16 \
      libarchive13 libvips42 libcsv3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin trackgen \
 && mkdir -p /var/lib/trackgen/spool /var/lib/trackgen/blobs && chown -R trackgen: /var/lib/trackgen
COPY --from=build /src/build/trackgen /usr/local/bin/trackgen
COPY sql/migrations /usr/share/trackgen/migrations
USER trackgen
ENV TRACKGEN_LISTEN=0.0.0.0:9000 \
    TRACKGEN_SPOOL_DIR=/var/lib/trackgen/spool \
    TRACKGEN_BLOB_DIR=/var/lib/trackgen/blobs \
    TRACKGEN_THREADS=32 \
    TRACKGEN_LOG_LEVEL=info
EXPOSE 9000 9001
STOPSIGNAL SIGTERM
# `docker run IMAGE migrate --dir /usr/share/trackgen/migrations` applies the schema first.
ENTRYPOINT ["/usr/local/bin/trackgen"]
CMD ["serve", "--workers", "2"]
