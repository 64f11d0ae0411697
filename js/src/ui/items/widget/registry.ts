// Every component type of chatkit/widgets.py, by name. Unknown types render their children.
import { Chart } from "./chart";
import { Button, Checkbox, DatePicker, Input, RadioGroup, Select, Textarea } from "./controls";
import type { ComponentRenderer } from "./env";
import { Form } from "./form";
import {
  Basic,
  Box,
  Card,
  Col,
  ListView,
  ListViewItem,
  Passthrough,
  Row,
  Spacer,
  Transition,
} from "./layout";
import { Image } from "./media";
import { Badge, Caption, Divider, Icon, Label, Markdown, Text, Title } from "./text";

const RENDERERS: Record<string, ComponentRenderer> = {
  Badge,
  Basic,
  Box,
  Button,
  Caption,
  Card,
  Chart,
  Checkbox,
  Col,
  DatePicker,
  Divider,
  Form,
  Icon,
  Image,
  Input,
  Label,
  ListView,
  ListViewItem,
  Markdown,
  RadioGroup,
  Row,
  Select,
  Spacer,
  Text,
  Textarea,
  Title,
  Transition,
};

export function rendererFor(type: string): ComponentRenderer {
  return Object.hasOwn(RENDERERS, type) ? (RENDERERS[type] as ComponentRenderer) : Passthrough;
}
