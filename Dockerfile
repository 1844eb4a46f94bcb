# The backbone's Node services (one image; the command picks the service) and the web console they serve.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY services ./services
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
COPY schemas-avro ./schemas-avro
USER node
CMD ["node", "services/cli/dist/src/bin.js", "help"]
