import { Hono } from "hono";
import type { AppEnv } from "../services";

export const joinRoutes = new Hono<AppEnv>();
