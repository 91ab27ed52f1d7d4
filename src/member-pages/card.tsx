import { Hono } from "hono";
import type { AppEnv } from "../services";

export const cardRoutes = new Hono<AppEnv>();
